/**
 * The root of the vmx SDK: types shared by every package, such as
 * {@link dev.vmx.VmxParseException}.
 */
package dev.vmx;
