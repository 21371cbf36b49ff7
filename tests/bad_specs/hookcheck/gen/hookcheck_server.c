/* ../RM0080-missing-hook-check.yaml: DO NOT EDIT */
int x;
