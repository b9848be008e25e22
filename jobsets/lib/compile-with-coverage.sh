mkdir -p "$out/bin" "$out/obj"
objects=
for source in $sources; do
  object="$out/obj/${source%.c}.o"
  gcc --coverage -static -O0 -g -Wall -Werror -c "$src/$source" -o "$object"
  objects="$objects $object"
done
gcc --coverage -static -o "$out/bin/$name" $objects
rm $objects
