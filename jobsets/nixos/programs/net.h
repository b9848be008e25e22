#ifndef NET_H
#define NET_H
#include <stdio.h>

int listen_on(int port);
int connect_to(const char *host, int port, int timeout_seconds);
FILE *open_stream(int fd);
#endif
