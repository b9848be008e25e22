# The paper's Figure 7: a game server with bots, a client with a display that joins
# it; the server's log must show the player entering, and the client's screen is
# kept as a screenshot.
{ lib, programs }:
let
  network = {
    server = {
      units.quake3-server = "arena server 27960 q3dm7 grunt bones";
      packages = [ programs.arena ];
    };
    client = {
      display = true;
      packages = [ programs.arena ];
      # The paper waits for the X server; ours is the VGA console, claimed by a unit
      # that hides the cursor and keeps the screen for the game.
      units.display = "sh -c 'printf \"\\033[?25l\\033[2J\" >/dev/tty1; exec sleep 2147483647'";
    };
  };
in
lib.runTests (lib.buildVirtualNetwork { name = "quake3"; inherit network; }) ''
  await startAll();
  await server.waitForUnit('quake3-server');
  await server.waitForOpenPort(27960);
  await client.waitForUnit('display');
  await client.succeed('arena client Foo server 27960 >/dev/tty1');
  await server.succeed("grep -q 'Foo.*entered the game' /var/log/quake3-server.log");
  await client.screenshot('screen');
''
