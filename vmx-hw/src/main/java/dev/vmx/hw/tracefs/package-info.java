/**
 * The tracefs live KVM event stream: {@link dev.vmx.hw.tracefs.KvmTraceStream} reads per-CPU
 * ring-buffer pages ({@code trace_pipe_raw}) in a private trace instance and decodes them with
 * {@link dev.vmx.hw.tracefs.RingBufferDecoder} into {@link dev.vmx.trace.KvmEvent} flyweights,
 * with field offsets from each event's {@code format} file and every loss counted;
 * {@link dev.vmx.hw.tracefs.KvmTraceTextStream} is the text fallback ({@code trace_pipe} lines).
 */
package dev.vmx.hw.tracefs;
