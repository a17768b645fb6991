/** Shared native bindings of the backends; not exported. */
package dev.vmx.hw.internal;
