# Walks a jobset expression and returns its jobs as plain data, for hydrant's evaluator
# (core/nix/eval-jobs.ts). Called as
#   nix-instantiate --eval --strict --json [--read-write-mode] eval-jobs.nix \
#     --argstr __hydrantExpr /path/release.nix --argstr __hydrantRequest '{"mode": ..}' \
#     --arg input1 ... --argstr input2 ...
# The request (JSON) says what to do; a long one (thousands of attribute names are too long
# for one command-line argument) comes as a file instead: --argstr __hydrantRequestFile
# /tmp/req.json. Only with --read-write-mode does forcing a job's drvPath write its .drv
# into the store.
#   { "mode": "walk", "path": [..], "only": null | [names], "shard": null | [i, n] }
#       every job under `path` (only the children named in `only`, or with `shard`
#       only the i-th of every n top-level attributes, if given). Nested
#       attribute sets become dotted job names (tests.trac). A job that throws is returned
#       as { name, path, error } instead of failing the walk; tryEval hides Nix's message,
#       so the caller asks again in "strict" mode for it.
#   { "mode": "names", "path": [..] }  → { isDerivation, names } of the value at `path`
#   { "mode": "strict", "path": [..] } → the job at `path` without tryEval, so Nix fails
#       with the job's own error message.
#   { "mode": "drvs", "paths": [[..], ..] } → the drvPath of each job at these paths (run
#       with --read-write-mode to write the .drv files).
#   { "mode": "write" } → the drvPath of every job that has one, forcing nothing else, as
#       nix-instantiate does (run with --read-write-mode to write the .drv files).
# With --argstr __hydrantKnownFile /tmp/known.json ({ "job.name": "/nix/store/..drv", .. }: the
# previous evaluation's jobs), a walk answers a job whose drvPath is still the one known by its
# name alone, a string: its build is reused as it is, so describing it again would be wasted.
# Aggregates are always described (their constituents are linked again).
# With --argstr __hydrantCopies '[{ "path": "/srv/src", "name": "src", "sha256": "<hex>" }, ..]'
# (read-write only), those directories are copied into the store first, as `nix-store --add`
# would (the same store path), before the expression in one of them is read.
__args@{ __hydrantExpr, __hydrantRequest ? null, __hydrantRequestFile ? null, __hydrantCopies ? null,
  __hydrantKnownFile ? null, ... }:
let
  inherit (builtins) attrNames concatLists concatStringsSep filter foldl' fromJSON functionArgs
    intersectAttrs isAttrs isFunction isList isString map readFile tryEval typeOf;
  request = fromJSON (if __hydrantRequestFile != null then readFile __hydrantRequestFile else __hydrantRequest);
  userArgs = removeAttrs __args [ "__hydrantExpr" "__hydrantRequest" "__hydrantRequestFile" "__hydrantCopies"
    "__hydrantKnownFile" ];
  known = if __hydrantKnownFile == null then { } else fromJSON (readFile __hydrantKnownFile);
  copied = if __hydrantCopies == null then [ ]
    else map (c: builtins.path { path = /. + c.path; inherit (c) name sha256; }) (fromJSON __hydrantCopies);
  f = builtins.deepSeq copied (import (/. + __hydrantExpr));
  # As Nix's own auto-call: pass the inputs the function names, let defaults cover the rest.
  top = if isFunction f then f (intersectAttrs (functionArgs f) userArgs) else f;

  isDerivation = v: isAttrs v && (v.type or null) == "derivation";
  at = path: foldl' (v: n: v.${n}) top path;
  nameOf = path: if path == [ ] then "job" else concatStringsSep "." path;
  childNames = v: filter (n: n != "recurseForDerivations" && n != "_module") (attrNames v);

  str = v: if v == null then null else if isString v then v else if isList v then concatStringsSep ", " (map str v) else if isAttrs v then (v.fullName or v.shortName or v.name or v.email or v.github or (builtins.toJSON (attrNames v))) else builtins.toJSON v;
  intOrNull = v: if builtins.isInt v then v else null;
  # hydra-eval-jobset's getMetaConcatStrings: from an attribute set only its `key` (a
  # licence's shortName, a maintainer's email), lists flattened, joined with ", ".
  metaStrings = key: v: if isAttrs v then (if v ? ${key} then [ (str v.${key}) ] else [ ])
    else if isList v then concatLists (map (metaStrings key) v) else if v == null then [ ] else [ (str v) ];
  concatMeta = key: v: let l = metaStrings key v; in if l == [ ] then null else concatStringsSep ", " l;

  constituentName = c: if isString c then c else if isDerivation c then { drvPath = c.drvPath; } else null;

  # hydra-eval-jobset's meta fields, each read only if the job sets it (most jobs set one or two).
  metaReaders = {
    description = str;
    homepage = str;
    license = concatMeta "shortName";
    maintainers = concatMeta "email";
    schedulingPriority = intOrNull;
    timeout = intOrNull;
    maxSilent = intOrNull;
    isHydraChannel = v: v == true;
  };

  describe = path: drv:
    let
      meta = let m = drv.meta or { }; in if isAttrs m then m else { };
      outputs = drv.outputs or [ "out" ];
    in {
      inherit path;
      name = nameOf path;
      nixName = drv.name;
      system = drv.system;
      drvPath = drv.drvPath;
      outputs = builtins.listToAttrs (map (o: { name = o; value = drv.${o}.outPath; }) outputs);
      meta = builtins.mapAttrs (n: read: read meta.${n}) (intersectAttrs meta metaReaders);
      isAggregate = drv._hydraAggregate or false;
      constituents = if drv._hydraAggregate or false then map constituentName (drv.constituents or [ ]) else [ ];
    };

  failed = path: [ { name = nameOf path; inherit path; error = "evaluation of '${nameOf path}' failed"; } ];

  jobOrError = path: v:
    let
      name = nameOf path;
      unchanged = known ? ${name}
        && (let a = tryEval (v._hydraAggregate or false); in a.success && a.value == false)
        && (let d = tryEval v.drvPath; in d.success && d.value == known.${name});
      r = tryEval (let d = describe path v; in builtins.deepSeq d d);
    in if unchanged then [ name ] else if r.success then [ r.value ] else failed path;

  # As Hydra: a name with a dot cannot be told from a nested job, so it is not a job.
  dotted = path: [ { name = nameOf path; error = "the attribute name contains a dot, which job names use for nesting; not evaluated"; } ];
  walkChildren = path: v: names: concatLists (map (n: if builtins.match ".*[.].*" n != null then dotted (path ++ [ n ]) else walk (path ++ [ n ]) v.${n}) names);

  walk = path: v:
    let r = tryEval v; in
    if !r.success then failed path
    else if isDerivation r.value then jobOrError path r.value
    else if isAttrs r.value then walkChildren path r.value (childNames r.value)
    else [ ];

  walkRequest =
    let v = at request.path; in
    if request.path == [ ] && !isDerivation top && !isAttrs top
    then throw "the jobset expression must be an attribute set of jobs, but it is ${typeOf top}"
    else if request.only != null then walkChildren request.path v request.only
    else if request.path == [ ] && isDerivation top then (if shardIndex == 0 then [ (describe [ ] top) ] else [ ])
    else if request.shard != null then walkChildren [ ] top (inShard (childNames top))
    else walk request.path v;

  # Shards split the top-level attributes among processes: i, i+n, i+2n, ...
  shardIndex = if request.shard or null == null then 0 else builtins.elemAt request.shard 0;
  shardCount = builtins.elemAt request.shard 1;
  inShard = names: builtins.genList (k: builtins.elemAt names (shardIndex + k * shardCount))
    ((builtins.length names - shardIndex + shardCount - 1) / shardCount);

  names = let v = at request.path; in
    if isDerivation v then { isDerivation = true; names = [ ]; }
    else if isAttrs v then { isDerivation = false; names = childNames v; }
    else { isDerivation = false; names = [ ]; };

  # Forces only each job's drvPath, as nix-instantiate does: with --read-write-mode that writes
  # the .drv files. Answers the drv paths it wrote; a job that throws is left out (the walk reports it).
  writeAll = path: v:
    let r = tryEval v; in
    if !r.success then [ ]
    else if isDerivation r.value then (let d = tryEval r.value.drvPath; in if d.success then [ d.value ] else [ ])
    else if isAttrs r.value then concatLists (map (n: if builtins.match ".*[.].*" n != null then [ ] else writeAll (path ++ [ n ]) r.value.${n}) (childNames r.value))
    else [ ];

  strict = let v = at request.path; in
    if isDerivation v then [ (describe request.path v) ] else [ ];
in
  if request.mode == "walk" then walkRequest
  else if request.mode == "names" then names
  else if request.mode == "strict" then strict
  else if request.mode == "drvs" then map (p: (at p).drvPath) request.paths
  else if request.mode == "write" then writeAll [ ] top
  else throw "eval-jobs.nix: unknown mode ${request.mode}"
