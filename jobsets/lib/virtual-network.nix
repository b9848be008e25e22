# buildVirtualNetwork { name; network; } -> a derivation with bin/run-vms (boots the
# network interactively) and network.json (what runTests' driver boots).
#
# A network is an attribute set of machine specifications, each an attribute set or
# a function of { nodes } (the other machines' final specs, so one machine can name
# another's hostName or ipAddress, as in the paper's Figure 1):
#   units    = { NAME = "shell command"; }  long-running services started at boot
#   setup    = "shell script";              runs at boot before the units
#   packages = [ drv ];                     drv/bin/* lands in the guest's /bin
#   files    = { "/guest/path" = "text" or ./path; };
#   display  = false;                       true: VGA screen the driver can screenshot
#   memory   = 256;                         MiB
# Machines are numbered in attribute-name order: 192.168.1.1, .2, ...; the hostname
# is the attribute name and every machine's /etc/hosts lists all of them.
{ hostDerivation, kernel, baseInitrd, driver }:
{ name ? "network", network }:
let
  names = builtins.attrNames network;
  indexOf = name: (builtins.length (builtins.filter (n: n < name) names)) + 1;
  hexDigits = [ "0" "1" "2" "3" "4" "5" "6" "7" "8" "9" "a" "b" "c" "d" "e" "f" ];
  hexByte = n: builtins.elemAt hexDigits (n / 16) + builtins.elemAt hexDigits (n - n / 16 * 16);
  defaults = { units = { }; setup = ""; packages = [ ]; files = { }; display = false; memory = 256; };

  nodes = builtins.listToAttrs (map (machineName:
    let
      spec = network.${machineName};
      config = if builtins.isFunction spec then spec { inherit nodes; } else spec;
      index = indexOf machineName;
    in {
      name = machineName;
      value = defaults // config // {
        hostName = machineName;
        ipAddress = "192.168.1.${toString index}";
        macAddress = "52:54:00:12:01:${hexByte index}";
      };
    }) names);

  fileEntry = guestPath: content:
    if builtins.isString content then { inherit guestPath; text = content; }
    else { inherit guestPath; source = "${content}"; };

  machineDescription = node: {
    name = node.hostName;
    inherit (node) ipAddress macAddress display memory setup units;
    packages = map (package: "${package}") node.packages;
    files = builtins.attrValues (builtins.mapAttrs fileEntry node.files);
  };
in
hostDerivation {
  name = "vms-${name}";
  builderScript = ./build-virtual-network.sh;
  builderModule = ./build-virtual-network.mjs;
  inherit baseInitrd driver;
  kernelImage = "${kernel}/vmlinuz";
  networkSpec = builtins.toJSON {
    inherit name;
    machines = map (machineName: machineDescription nodes.${machineName}) names;
  };
  passAsFile = [ "networkSpec" ];
}
// { inherit nodes; networkName = name; }
