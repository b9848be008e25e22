/* tinydb: the database of the Trac example, standing in for PostgreSQL.
 * One program in two roles, so the server machine and the client machine exercise
 * different code and only their merged coverage shows the whole of it.
 *   tinydb serve PORT DATAFILE TRUSTED_IP   one client at a time; like pg_hba's
 *                                           "host ... trust", other hosts are refused
 *   tinydb query HOST PORT REQUEST...       prints the answer; exit 0 on OK,
 *                                           1 on a refusal or error, 2 if unreachable
 * Requests: PING, GET KEY, PUT KEY VALUE, COUNT. */
#include "net.h"
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_ROWS 256

struct row {
    char key[64];
    char value[192];
};

static struct row rows[MAX_ROWS];
static int row_count;
static volatile sig_atomic_t stopping;

static void request_stop(int signal_number)
{
    (void)signal_number;
    stopping = 1;
}

static struct row *find_row(const char *key)
{
    for (int i = 0; i < row_count; i++)
        if (strcmp(rows[i].key, key) == 0)
            return &rows[i];
    return NULL;
}

static int put_row(const char *key, const char *value)
{
    struct row *row = find_row(key);
    if (row == NULL) {
        if (row_count == MAX_ROWS)
            return -1;
        row = &rows[row_count++];
        snprintf(row->key, sizeof row->key, "%s", key);
    }
    snprintf(row->value, sizeof row->value, "%s", value);
    return 0;
}

static void load_rows(const char *path)
{
    char line[256];
    FILE *data = fopen(path, "r");
    if (data == NULL) {
        perror(path);
        exit(1);
    }
    while (fgets(line, sizeof line, data) != NULL) {
        char *key = strtok(line, " \n");
        char *value = strtok(NULL, "\n");
        if (key != NULL && value != NULL)
            put_row(key, value);
    }
    fclose(data);
    printf("loaded %d rows from %s\n", row_count, path);
}

static void answer(FILE *client, char *request)
{
    char *command = strtok(request, " \r\n");
    char *key = strtok(NULL, " \r\n");
    char *value = strtok(NULL, "\r\n");
    struct row *row;

    if (command == NULL) {
        fprintf(client, "ERROR empty request\n");
    } else if (strcmp(command, "PING") == 0) {
        fprintf(client, "OK PONG\n");
    } else if (strcmp(command, "COUNT") == 0) {
        fprintf(client, "OK %d\n", row_count);
    } else if (strcmp(command, "GET") == 0 && key != NULL) {
        row = find_row(key);
        if (row != NULL)
            fprintf(client, "OK %s\n", row->value);
        else
            fprintf(client, "ERROR no row %s\n", key);
    } else if (strcmp(command, "PUT") == 0 && key != NULL && value != NULL) {
        if (put_row(key, value) == 0)
            fprintf(client, "OK stored %s\n", key);
        else
            fprintf(client, "ERROR table full\n");
    } else {
        fprintf(client, "ERROR bad request %s\n", command);
    }
}

static int serve(int port, const char *data_path, const char *trusted_ip)
{
    struct sigaction stop = { .sa_handler = request_stop };
    int listener;

    load_rows(data_path);
    /* No SA_RESTART: accept() must return so the loop can exit and gcov can flush. */
    sigaction(SIGTERM, &stop, NULL);
    sigaction(SIGINT, &stop, NULL);
    listener = listen_on(port);
    if (listener < 0) {
        perror("listen");
        return 1;
    }
    printf("listening on port %d, trusting %s\n", port, trusted_ip);
    fflush(stdout);
    while (!stopping) {
        struct sockaddr_in peer;
        socklen_t peer_size = sizeof peer;
        char peer_ip[INET_ADDRSTRLEN];
        char request[256];
        int fd = accept(listener, (struct sockaddr *)&peer, &peer_size);
        FILE *client;

        if (fd < 0) {
            if (errno != EINTR)
                perror("accept");
            continue;
        }
        inet_ntop(AF_INET, &peer.sin_addr, peer_ip, sizeof peer_ip);
        client = open_stream(fd);
        if (strcmp(peer_ip, trusted_ip) != 0 && strcmp(peer_ip, "127.0.0.1") != 0) {
            printf("refused connection from %s\n", peer_ip);
            fprintf(client, "ERROR host %s is not trusted\n", peer_ip);
        } else if (fgets(request, sizeof request, client) != NULL) {
            printf("%s: %s", peer_ip, request);
            answer(client, request);
        }
        fflush(stdout);
        fclose(client);
    }
    printf("stopping\n");
    return 0;
}

static int query(const char *host, int port, int word_count, char **words)
{
    char answer_line[256];
    int fd = connect_to(host, port, 1);
    FILE *server;

    if (fd < 0)
        return 2;
    server = open_stream(fd);
    for (int i = 0; i < word_count; i++)
        fprintf(server, i == 0 ? "%s" : " %s", words[i]);
    fprintf(server, "\n");
    if (fgets(answer_line, sizeof answer_line, server) == NULL) {
        fprintf(stderr, "%s: no answer\n", host);
        fclose(server);
        return 2;
    }
    fclose(server);
    if (strncmp(answer_line, "OK ", 3) == 0) {
        fputs(answer_line + 3, stdout);
        return 0;
    }
    fputs(answer_line, stderr);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "serve") == 0)
        return serve(atoi(argv[2]), argv[3], argv[4]);
    if (argc >= 5 && strcmp(argv[1], "query") == 0)
        return query(argv[2], atoi(argv[3]), argc - 4, argv + 4);
    fprintf(stderr, "usage: tinydb serve PORT DATAFILE TRUSTED_IP\n"
                    "       tinydb query HOST PORT REQUEST...\n");
    return 64;
}
