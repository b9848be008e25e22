/* arena: the game of the Quake 3 example — a tiny deterministic multiplayer arena.
 *   arena server PORT MAP BOT...   logs "NAME entered the game" for bots and players,
 *                                  plays FRAMES ticks with each player, sends the state
 *   arena client NAME HOST PORT    joins and draws every frame with ANSI colours on
 *                                  stdout, which the test points at the VGA console
 * Server and client run different code, as quake3 does on the paper's two machines. */
#include "net.h"
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define WIDTH 60
#define HEIGHT 16
#define FRAMES 12
#define MAX_PLAYERS 8

struct player {
    char name[32];
    int x, y, dx, dy, score;
};

static volatile sig_atomic_t stopping;

static void request_stop(int signal_number)
{
    (void)signal_number;
    stopping = 1;
}

static int is_wall(int x, int y)
{
    if (x == 0 || y == 0 || x == WIDTH - 1 || y == HEIGHT - 1)
        return 1;
    return (x == WIDTH / 3 && y > 3 && y < HEIGHT - 4) || (x == 2 * WIDTH / 3 && y > 2 && y < HEIGHT - 5);
}

static void move_player(struct player *player)
{
    if (is_wall(player->x + player->dx, player->y))
        player->dx = -player->dx;
    if (is_wall(player->x, player->y + player->dy))
        player->dy = -player->dy;
    player->x += player->dx;
    player->y += player->dy;
}

static void play_with(FILE *client, char *map, struct player *players, int count)
{
    for (int frame = 1; frame <= FRAMES; frame++) {
        for (int i = 0; i < count; i++) {
            move_player(&players[i]);
            /* The human player wins every third exchange; bots score otherwise. */
            if (frame % 3 == 0 && i == count - 1)
                players[i].score++;
            else if (frame % 4 == 0 && i == frame % count)
                players[i].score++;
        }
        fprintf(client, "FRAME %d %s %d\n", frame, map, count);
        for (int i = 0; i < count; i++)
            fprintf(client, "PLAYER %s %d %d %d\n", players[i].name, players[i].x, players[i].y, players[i].score);
    }
    fprintf(client, "END\n");
}

static int serve(int port, char *map, int bot_count, char **bots)
{
    struct sigaction stop = { .sa_handler = request_stop };
    struct player players[MAX_PLAYERS];
    int listener;

    if (bot_count > MAX_PLAYERS - 1)
        bot_count = MAX_PLAYERS - 1;
    sigaction(SIGTERM, &stop, NULL);
    sigaction(SIGINT, &stop, NULL);
    printf("map %s loaded\n", map);
    for (int i = 0; i < bot_count; i++) {
        players[i] = (struct player){ .x = 3 + 7 * i, .y = 2 + i, .dx = 1, .dy = 1 };
        snprintf(players[i].name, sizeof players[i].name, "%s", bots[i]);
        printf("%s entered the game\n", players[i].name);
    }
    listener = listen_on(port);
    if (listener < 0) {
        perror("listen");
        return 1;
    }
    printf("waiting for players on port %d\n", port);
    fflush(stdout);
    while (!stopping) {
        char hello[64], name[32];
        int fd = accept(listener, NULL, NULL);
        FILE *client;
        struct player *human = &players[bot_count];

        if (fd < 0) {
            if (errno != EINTR)
                perror("accept");
            continue;
        }
        client = open_stream(fd);
        if (fgets(hello, sizeof hello, client) != NULL && sscanf(hello, "CONNECT %31s", name) == 1) {
            *human = (struct player){ .x = WIDTH / 2, .y = HEIGHT / 2, .dx = -1, .dy = 1 };
            snprintf(human->name, sizeof human->name, "%s", name);
            printf("%s entered the game\n", name);
            fflush(stdout);
            play_with(client, map, players, bot_count + 1);
            printf("%s left the game with %d frags\n", name, human->score);
        } else {
            printf("ignored a client that did not say CONNECT\n");
        }
        fflush(stdout);
        fclose(client);
    }
    printf("server shutting down\n");
    return 0;
}

/* Colours are what make the screenshot worth looking at: walls, bots and the
 * player each get their own. */
static void draw(const char *map, int frame, struct player *players, int count, const char *me)
{
    printf("\033[2J\033[H\033[1;37;44m arena - map %-10s frame %2d/%d \033[0m\n", map, frame, FRAMES);
    for (int y = 0; y < HEIGHT; y++) {
        for (int x = 0; x < WIDTH; x++) {
            const char *cell = is_wall(x, y) ? "\033[46m \033[0m" : " ";
            for (int i = 0; i < count; i++)
                if (players[i].x == x && players[i].y == y)
                    cell = strcmp(players[i].name, me) == 0 ? "\033[1;33m@\033[0m" : "\033[1;31mB\033[0m";
            fputs(cell, stdout);
        }
        putchar('\n');
    }
    for (int i = 0; i < count; i++)
        printf("\033[1;%dm%-12s %3d frags\033[0m\n", strcmp(players[i].name, me) == 0 ? 33 : 31,
               players[i].name, players[i].score);
    fflush(stdout);
}

static int play(const char *name, const char *host, int port)
{
    struct player players[MAX_PLAYERS];
    char line[128], map[32] = "?";
    int fd = connect_to(host, port, 5);
    int frame = 0, count = 0, seen = 0;
    FILE *server;

    if (fd < 0)
        return 2;
    server = open_stream(fd);
    fprintf(server, "CONNECT %s\n", name);
    while (fgets(line, sizeof line, server) != NULL) {
        struct player *next = &players[seen < MAX_PLAYERS ? seen : MAX_PLAYERS - 1];
        if (sscanf(line, "FRAME %d %31s %d", &frame, map, &count) == 3) {
            seen = 0;
        } else if (sscanf(line, "PLAYER %31s %d %d %d", next->name, &next->x, &next->y, &next->score) == 4) {
            if (++seen == count)
                draw(map, frame, players, count, name);
        } else if (strncmp(line, "END", 3) == 0) {
            fclose(server);
            return 0;
        }
    }
    fclose(server);
    fprintf(stderr, "connection to %s lost\n", host);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "server") == 0)
        return serve(atoi(argv[2]), argv[3], argc - 4, argv + 4);
    if (argc == 5 && strcmp(argv[1], "client") == 0)
        return play(argv[2], argv[3], atoi(argv[4]));
    fprintf(stderr, "usage: arena server PORT MAP BOT...\n       arena client NAME HOST PORT\n");
    return 64;
}
