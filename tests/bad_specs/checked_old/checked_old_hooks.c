int checked_old_on_init(void)
{
    return 0;
}
