int checked_new_on_init(void)
{
    return 0;
}
