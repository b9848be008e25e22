# Walks a jobset expression and returns every job as plain data, for hydrant's evaluator.
# Called by core/nix/evaluate.ts as
#   nix-instantiate --eval --strict --json --read-write-mode eval-jobs.nix \
#     --argstr __hydrantExpr /path/release.nix --arg input1 ... --argstr input2 ...
# (--read-write-mode so forcing drvPath writes the .drv files the queue runner needs).
# Nested attribute sets become dotted job names (tests.trac). A job that throws is
# returned with its error instead of failing the whole walk.
__args@{ __hydrantExpr, ... }:
let
  inherit (builtins) attrNames concatLists functionArgs intersectAttrs isAttrs isFunction isList isString map tryEval typeOf;
  userArgs = removeAttrs __args [ "__hydrantExpr" ];
  f = import (/. + __hydrantExpr);
  # As Nix's own auto-call: pass the inputs the function names, let defaults cover the rest.
  top = if isFunction f then f (intersectAttrs (functionArgs f) userArgs) else f;

  isDerivation = v: isAttrs v && (v.type or null) == "derivation";
  str = v: if v == null then null else if isString v then v else if isList v then builtins.concatStringsSep ", " (map str v) else if isAttrs v then (v.fullName or v.shortName or v.name or v.email or v.github or (builtins.toJSON (attrNames v))) else builtins.toJSON v;
  intOrNull = v: if builtins.isInt v then v else null;

  constituentName = c: if isString c then c else if isDerivation c then { drvPath = c.drvPath; } else null;

  describe = name: drv:
    let
      meta = drv.meta or { };
      outputs = drv.outputs or [ "out" ];
    in {
      inherit name;
      nixName = drv.name;
      system = drv.system;
      drvPath = drv.drvPath;
      outputs = builtins.listToAttrs (map (o: { name = o; value = drv.${o}.outPath; }) outputs);
      description = str (meta.description or null);
      license = str (meta.license or null);
      homepage = str (meta.homepage or null);
      maintainers = str (meta.maintainers or null);
      schedulingPriority = intOrNull (meta.schedulingPriority or null);
      timeout = intOrNull (meta.timeout or null);
      maxSilent = intOrNull (meta.maxSilent or null);
      isChannel = (meta.isHydraChannel or false) == true;
      isAggregate = drv._hydraAggregate or false;
      constituents = if drv._hydraAggregate or false then map constituentName (drv.constituents or [ ]) else [ ];
    };

  jobOrError = name: v:
    let r = tryEval (let d = describe name v; in builtins.deepSeq d d);
    in if r.success then [ r.value ] else [ { inherit name; error = "evaluation of job '${name}' failed (an error was thrown; see nix-instantiate -A ${name} for the message)"; } ];

  walk = prefix: v:
    let r = tryEval v; in
    if !r.success then [ { name = prefix; error = "evaluation of '${prefix}' failed (an error was thrown)"; } ]
    else if isDerivation r.value then jobOrError prefix r.value
    else if isAttrs r.value then
      concatLists (map (n: walk (if prefix == "" then n else "${prefix}.${n}") r.value.${n})
        (builtins.filter (n: n != "recurseForDerivations" && n != "_module") (attrNames r.value)))
    else [ ];
in
  if isDerivation top then [ (describe "job" top) ]
  else if isAttrs top then walk "" top
  else throw "the jobset expression must be an attribute set of jobs, but it is ${typeOf top}"
