# Sourced by the bench scripts: what every benchmark line says about the CPU it ran on (issue rule: name the CPU
# model, the numbers change between machines).

# The CPU's bfloat16 units, comma-separated (empty when none): the flags Autocast.CPU_BF16_FLAGS accepts for bf16.
cpu_bf16_flags() {
  grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx512_bf16|amx_bf16)$' | paste -sd, -
}

# One line: model name, family and model number, cores, AVX-512 and the bf16 flags.
cpu_description() {
  local name family model avx512 bf16
  name="$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  family="$(grep -m1 '^cpu family' /proc/cpuinfo | cut -d: -f2 | tr -d ' ')"
  model="$(grep -m1 '^model[[:space:]]*:' /proc/cpuinfo | cut -d: -f2 | tr -d ' ')"
  avx512="$(grep -qm1 avx512f /proc/cpuinfo && echo yes || echo no)"
  bf16="$(cpu_bf16_flags)"
  echo "$name (family $family, model $model), $(nproc) cores, AVX-512: $avx512, bf16 flags: ${bf16:-none}"
}
