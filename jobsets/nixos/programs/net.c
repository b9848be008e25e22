/* TCP helpers shared by the programs under test. Names are looked up in /etc/hosts
 * by hand: the programs are static, and glibc's resolver would try to dlopen NSS
 * modules that the busybox guests do not have. */
#include "net.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int lookup_host(const char *name, struct in_addr *address)
{
    char line[256];
    FILE *hosts;

    if (inet_pton(AF_INET, name, address) == 1)
        return 0;
    hosts = fopen("/etc/hosts", "r");
    if (hosts == NULL)
        return -1;
    while (fgets(line, sizeof line, hosts) != NULL) {
        char *ip = strtok(line, " \t\n");
        char *alias;
        if (ip == NULL || ip[0] == '#')
            continue;
        while ((alias = strtok(NULL, " \t\n")) != NULL) {
            if (strcmp(alias, name) == 0 && inet_pton(AF_INET, ip, address) == 1) {
                fclose(hosts);
                return 0;
            }
        }
    }
    fclose(hosts);
    return -1;
}

int listen_on(int port)
{
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons(port) };
    int yes = 1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    address.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(fd, (struct sockaddr *)&address, sizeof address) < 0 || listen(fd, 16) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Linux applies SO_SNDTIMEO to connect(), so a crashed peer costs timeout_seconds
 * rather than the kernel's two-minute SYN retry. */
int connect_to(const char *host, int port, int timeout_seconds)
{
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons(port) };
    struct timeval timeout = { .tv_sec = timeout_seconds };
    int fd;

    if (lookup_host(host, &address.sin_addr) < 0) {
        fprintf(stderr, "unknown host %s\n", host);
        return -1;
    }
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) < 0) {
        perror(host);
        close(fd);
        return -1;
    }
    return fd;
}

FILE *open_stream(int fd)
{
    FILE *stream = fdopen(fd, "r+");
    if (stream != NULL)
        setvbuf(stream, NULL, _IOLBF, 0);
    return stream;
}
