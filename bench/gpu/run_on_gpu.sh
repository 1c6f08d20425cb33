#!/usr/bin/env bash
# Runs on the GPU machine, in the folder bench/gpu/pack.ts made (no internet, no Node.js needed):
# the three benchmark models on webgpu (Dawn on the NVIDIA Vulkan driver) beside PyTorch on CUDA,
# same model, batch and steps, then IIC on MNIST for as many epochs as fit in the time left
# (at most 180 s of training). Everything under 6 minutes; the log goes to run_log.txt (and to
# $OUT/run_log.txt when $OUT is set).
#   bash run_on_gpu.sh     (STEPS=20 IIC_SECONDS=180 TOTAL_SECONDS=340 change the budget; BATCH=N one
#                           batch for every model, both sides; IIC_LIMIT=N trains on N images: smoke tests)
set -uo pipefail
cd "$(dirname "$0")"
here=$PWD
started=$(date +%s)
steps=${STEPS:-20}
batch_args=(); [ -n "${BATCH:-}" ] && batch_args=(--batch "$BATCH")
limit_args=(); [ -n "${IIC_LIMIT:-}" ] && limit_args=(--limit "$IIC_LIMIT")
total=${TOTAL_SECONDS:-340}
log=$here/run_log.txt
exec > >(tee "$log") 2>&1
elapsed() { echo $(( $(date +%s) - started )); }

unxz_to() { # unxz_to FILE.xz TARGET: xz if present, else python3's lzma
  if command -v xz >/dev/null 2>&1; then xz -dc "$1" > "$2"
  else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"; fi
}
mkdir -p work
[ -x work/node ] || { unxz_to node.xz work/node && chmod +x work/node; } || { echo "run_on_gpu: could not unpack node.xz"; exit 1; }
dawn=app/node_modules/webgpu/dist/linux-x64/dawn.node
[ -f "$dawn" ] || unxz_to "$dawn.xz" "$dawn" || { echo "run_on_gpu: could not unpack $dawn.xz"; exit 1; }
echo "node $(work/node --version), unpacked in $(elapsed) s; $(cat PACKED.txt 2>/dev/null)"

# The Vulkan loader: the system's, else Debian's libvulkan1 carried here.
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1'; then
  deb=$(ls libvulkan1_*.deb 2>/dev/null | head -n 1)
  if [ -n "$deb" ] && command -v dpkg-deb >/dev/null 2>&1; then dpkg-deb -x "$deb" work/vulkan
  elif [ -n "$deb" ]; then (mkdir -p work/vulkan && cd work/vulkan && ar x "../../$deb" && tar -xf data.tar.*)
  fi
  export LD_LIBRARY_PATH="$here/work/vulkan/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  echo "Vulkan loader: carried $deb"
fi
for dir in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do
  [ -d "$dir" ] && export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$dir"
done
# The NVIDIA Vulkan driver manifest, where the loader does not look by itself.
if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ] && ! ls /usr/share/vulkan/icd.d/nvidia_icd*.json /etc/vulkan/icd.d/nvidia_icd*.json >/dev/null 2>&1; then
  for manifest in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/local/nvidia/icd.d/nvidia_icd.json; do
    if [ -f "$manifest" ]; then export VK_DRIVER_FILES=$manifest; echo "Vulkan driver: $manifest"; break; fi
  done
fi
nvidia-smi -L 2>/dev/null || true

echo "== PyTorch on CUDA ($steps steps each) =="
: > torch.jsonl
for model in iic-vgg dense-ae conv4-relational; do
  timeout 60 python3 peers/torch_train_step.py "$model" --device cuda --steps "$steps" "${batch_args[@]}" | tee -a torch.jsonl || echo "torch $model failed"
done
echo "== webgpu ($steps steps each), at $(elapsed) s =="
timeout 120 work/node app/gpu_run.mjs models --steps "$steps" "${batch_args[@]}" --peer torch.jsonl || echo "run_on_gpu: webgpu models failed or timed out (exit $?)"

echo "== Conv2DBackpropFilter: ours vs tfjs-backend-webgpu's, at $(elapsed) s =="
timeout 40 work/node app/gpu_run.mjs kernels --steps 10 "${batch_args[@]}" || echo "run_on_gpu: kernel comparison failed or timed out (exit $?)"

left=$(( total - $(elapsed) - 30 ))
iic_seconds=${IIC_SECONDS:-180}
[ "$left" -lt "$iic_seconds" ] && iic_seconds=$left
if [ "$iic_seconds" -gt 10 ]; then
  echo "== IIC on MNIST for up to $iic_seconds s of training, at $(elapsed) s =="
  timeout $(( iic_seconds + 60 )) work/node app/gpu_run.mjs iic --seconds "$iic_seconds" "${limit_args[@]}" || echo "run_on_gpu: IIC failed or timed out (exit $?)"
else
  echo "run_on_gpu: no time left for IIC ($left s)"
fi
echo "run_on_gpu: done in $(elapsed) s"
[ -n "${OUT:-}" ] && [ -d "${OUT:-}" ] && cp "$log" torch.jsonl "$OUT"/ 2>/dev/null
exit 0
