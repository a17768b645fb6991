/**
 * KVM trace events: {@link dev.vmx.trace.KvmEvent}, the one event definition shared by the trace
 * text parsers and the tracefs ring-buffer reader, and its immutable form
 * {@link dev.vmx.trace.KvmEventRecord}.
 */
package dev.vmx.trace;
