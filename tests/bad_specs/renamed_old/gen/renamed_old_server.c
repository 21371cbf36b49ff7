/* ../RM0081-renamed-device.yaml: DO NOT EDIT */
int x;
