/* ../RM0082-renamed-device-check.yaml: DO NOT EDIT */
int x;
