int renamed_old_on_init(void)
{
    return 0;
}
