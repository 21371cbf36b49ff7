/* DO NOT EDIT */
int checked_old_on_init(void)
{
}
