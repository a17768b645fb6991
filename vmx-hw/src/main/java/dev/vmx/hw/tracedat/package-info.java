/**
 * trace-cmd's {@code trace.dat} files, versions 6 and 7 (compressed with zstd or zlib):
 * {@link dev.vmx.hw.tracedat.TraceDat} opens one, {@link dev.vmx.hw.tracedat.TraceDatReader} reads
 * its CPUs' ring-buffer pages merged in time order as {@link dev.vmx.trace.KvmEvent} flyweights,
 * decoded with the format files the file carries, and every loss or damage becomes a
 * {@link dev.vmx.hw.tracedat.TraceDatProblem}.
 */
package dev.vmx.hw.tracedat;
