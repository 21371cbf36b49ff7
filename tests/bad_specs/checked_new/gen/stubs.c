/* DO NOT EDIT */
int checked_new_on_init(void)
{
}
