/* DO NOT EDIT */
int renamed_old_on_init(void)
{
}
