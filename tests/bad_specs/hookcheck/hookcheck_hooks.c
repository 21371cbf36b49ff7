/* written by the user; the init hook is still missing */
