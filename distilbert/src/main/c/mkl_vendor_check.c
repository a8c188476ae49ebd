/*
 * The one function of libfinetune_mkl_vendor.so (see io.finetune.distilbert.MklVendorCheck).
 *
 * Intel MKL, linked statically into DJL's libtorch_cpu.so, asks this function whether the CPU is an Intel one before
 * it picks its kernels. On any other vendor it settles for its AVX2 code, whatever the CPU supports, so matrix products
 * on an AVX-512 AMD EPYC run at half the speed the CPU offers. Loaded into the global symbol scope before libtorch,
 * this definition answers first, and MKL chooses its kernels from the CPU's feature flags alone, as it does on Intel.
 *
 * Built by distilbert's pom.xml with -nostdlib: it needs no C library and loads on any x86-64 Linux.
 */
int mkl_serv_intel_cpu_true(void) {
    return 1;
}
