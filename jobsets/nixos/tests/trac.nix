# The paper's Figure 1 as a test: storage serves the repository, postgresql the
# database, webserver a page that reads from both. Then storage crashes and the
# page must say so.
#
# databaseTrusts names the machine the database accepts clients from; anything
# but "webserver" is the configuration mistake broken.nix ships on purpose.
{ lib, programs, databaseTrusts ? "webserver" }:
let
  network = {
    storage = {
      units.fileserver = "httpd -f -p 80 -h /srv/storage";
      files."/srv/storage/repos/foobar/README" = "foobar: a project tracked in Trac\n";
      # Only to show that the database refuses hosts it does not trust.
      packages = [ programs.tinydb ];
    };

    postgresql = { nodes, ... }: {
      units.postgresql = "tinydb serve 5432 /var/lib/tinydb/foobar ${nodes.${databaseTrusts}.ipAddress}";
      files."/var/lib/tinydb/foobar" = ''
        project.title Project Foobar
        ticket.1 Make the build reproducible
      '';
      packages = [ programs.tinydb ];
    };

    webserver = { nodes, ... }: {
      units.httpd = "httpd -f -p 80 -h /srv/www";
      packages = [ programs.tinydb ];
      files."/srv/www/cgi-bin/trac" = ''
        #!/bin/sh
        echo "Content-Type: text/plain"
        echo
        if title=$(tinydb query ${nodes.postgresql.hostName} 5432 GET project.title 2>&1); then
          echo "project: $title"
          echo "tickets: $(tinydb query ${nodes.postgresql.hostName} 5432 COUNT)"
        else
          echo "database: unavailable ($title)"
        fi
        # timeout(1), not wget -T: this busybox's wget segfaults whenever -T is given.
        if readme=$(timeout 1 wget -q -O - http://${nodes.storage.hostName}/repos/foobar/README 2>/dev/null); then
          echo "repository: $readme"
        else
          echo "storage: unavailable"
        fi
      '';
    };
  };
in
lib.runTests (lib.buildVirtualNetwork { name = "trac"; inherit network; }) ''
  await startAll();
  await Promise.all([
    storage.waitForUnit('fileserver'),
    postgresql.waitForUnit('postgresql').then(() => postgresql.waitForOpenPort(5432)),
    webserver.waitForUnit('httpd').then(() => webserver.waitForOpenPort(80)),
  ]);

  await webserver.succeed('tinydb query postgresql 5432 PUT ticket.2 Test the web frontend');
  await storage.fail('tinydb query postgresql 5432 PING');

  // Fetched from another machine, so the request crosses the virtual network.
  const page = await postgresql.succeed('wget -q -O - http://webserver/cgi-bin/trac');
  log(page);
  assert.match(page, /project: Project Foobar/);
  assert.match(page, /tickets: 3/);
  assert.match(page, /repository: foobar: a project tracked in Trac/);

  // A network outage of the database: the page degrades, then recovers.
  await postgresql.block();
  const withoutDatabase = await webserver.succeed('wget -q -O - http://localhost/cgi-bin/trac');
  assert.match(withoutDatabase, /database: unavailable/);
  await postgresql.unblock();
  await webserver.waitUntilSucceeds('wget -q -O - http://localhost/cgi-bin/trac | grep -q "project: Project Foobar"');

  await storage.crash();
  const outagePage = await postgresql.succeed('wget -q -O - http://webserver/cgi-bin/trac');
  log(outagePage);
  assert.match(outagePage, /storage: unavailable/, 'the webserver must report the storage outage');
  assert.match(outagePage, /project: Project Foobar/, 'the database must still answer');
  log('outage detected: the webserver reports storage as unavailable');
''
