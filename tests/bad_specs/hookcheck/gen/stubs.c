/* DO NOT EDIT */
int hookcheck_on_init(void)
{
}
