package dev.vmx.spark;

import static dev.vmx.spark.KvmTraceSchema.*;

import dev.vmx.exit.ExitReason;
import dev.vmx.exit.ExitReasonFlag;
import dev.vmx.trace.KvmEvent;
import dev.vmx.trace.KvmEventType;
import dev.vmx.trace.KvmIsa;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Reads one trace file in order into rows of {@link KvmTraceSchema}. A {@code kvm_exit} row is held
 * back until its thread's next {@code kvm_entry} (which gives {@code exit_to_entry_ns}), its next
 * {@code kvm_exit} or the end of the file, exactly as {@code ExitStatistics} pairs them; so rows come
 * out in line order except that an exit may come out later than lines after it (at most one held
 * exit per thread). Order by {@code line} where order matters.
 */
final class KvmTracePartitionReader implements PartitionReader<InternalRow> {
    private static final UTF8String[] EVENT_NAMES = eventNames();
    private static final UTF8String[] ISA_NAMES = isaNames();

    private final int[] fields;
    private final int exitToEntrySlot;
    private final boolean failFast;
    private final String sourceName;
    private final UTF8String source;
    private final UTF8String host;
    private final ArrayDeque<InternalRow> ready = new ArrayDeque<>();
    private final Map<Integer, ThreadState> threads = new HashMap<>();
    private final List<Map<Long, ExitNames>> exitNames = List.of(new HashMap<>(), new HashMap<>(), new HashMap<>());
    private KvmTraceCursor cursor;
    private InternalRow current;
    private boolean finished;

    /** What a vCPU thread left open: its exit waiting for an entry, and the vCPU its last entry named. */
    private static final class ThreadState {
        GenericInternalRow pendingExit;
        long pendingLine;
        long pendingTime;
        int vcpu = -1;
        UTF8String task;
        String taskText = "";
    }

    /** The exit columns of one exit code, made once per file. */
    private record ExitNames(UTF8String reason, Integer basic, ArrayData flags) {
    }

    KvmTracePartitionReader(KvmTraceFilePartition partition, int[] fields, boolean failFast, Configuration conf) {
        this.fields = fields;
        this.failFast = failFast;
        this.sourceName = partition.path();
        this.source = UTF8String.fromString(partition.path());
        this.host = partition.host() == null ? null : UTF8String.fromString(partition.host());
        int slot = -1;
        for (int i = 0; i < fields.length; i++) {
            if (fields[i] == F_EXIT_TO_ENTRY) {
                slot = i;
            }
        }
        this.exitToEntrySlot = slot;
        try {
            if (partition.listingProblem() != null) {
                problem(0, partition.listingProblem(), null);
                finished = true;
            } else {
                open(conf);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void open(Configuration conf) throws IOException {
        Path path = new Path(sourceName);
        InputStream in;
        FileSystem fs;
        CompressionCodec codec;
        try {
            fs = path.getFileSystem(conf);
            in = fs.open(path);
            codec = new CompressionCodecFactory(conf).getCodec(path);
            if (codec != null) {
                in = codec.createInputStream(in);
            }
        } catch (IOException | RuntimeException e) {
            problem(0, "unreadable file: cannot open: " + e, null);
            finished = true;
            return;
        }
        BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
        byte[] head = new byte[KvmTraceFormat.HEAD_BYTES];
        int length = 0;
        try {
            buffered.mark(head.length);
            for (int n; length < head.length && (n = buffered.read(head, length, head.length - length)) > 0; ) {
                length += n;
            }
            buffered.reset();
        } catch (IOException e) {
            buffered.close();
            problem(0, "unreadable file: cannot read its first bytes: " + e, null);
            finished = true;
            return;
        }
        KvmTraceFormat format = KvmTraceFormats.detect(KvmTraceFormats.all(), head, length);
        if (format == null) {
            buffered.close();
            problem(0, KvmTraceFormats.unknown(head, length), null);
            finished = true;
            return;
        }
        if (format.needsLocalFile()) {
            openLocal(format, localFile(fs, path, codec), buffered);
        } else {
            cursor = format.open(buffered, sourceName);
        }
    }

    /** The file itself when it is a plain file on the local file system, else null. */
    private static java.nio.file.Path localFile(FileSystem fs, Path path, CompressionCodec codec) {
        if (codec != null) {
            return null;
        }
        if (fs instanceof LocalFileSystem local) {
            return local.pathToFile(path).toPath();
        }
        if (fs instanceof RawLocalFileSystem raw) {
            return raw.pathToFile(path).toPath();
        }
        return null;
    }

    /**
     * Opens a format that reads a seekable local file: the file itself, or a local copy of its
     * (decompressed) bytes that the cursor deletes when it closes. A copy cut short by a read failure
     * is still read (a trace.dat's pages before the cut are good), after a problem row that says where.
     */
    private void openLocal(KvmTraceFormat format, java.nio.file.Path local, InputStream in) throws IOException {
        if (local != null) {
            in.close();
            cursor = format.open(local, sourceName);
            return;
        }
        LocalCopy.Copy copy;
        try (in) {
            copy = LocalCopy.of(in);
        } catch (IOException | RuntimeException e) {
            problem(0, "unreadable file: cannot copy it to a local file for the " + format.name() + " reader: " + e, null);
            finished = true;
            return;
        }
        try {
            if (copy.failure() != null) {
                problem(0, "unreadable file: cannot read past byte " + copy.bytes() + " (copying it to a local file for the "
                        + format.name() + " reader): " + copy.failure() + "; the bytes before are read", null);
            }
            cursor = LocalCopy.deleteOnClose(format.open(copy.file(), sourceName), copy.file());
        } catch (IOException | RuntimeException e) {
            LocalCopy.delete(copy.file()); // FAILFAST, or the format failed to open: no cursor will delete it
            throw e;
        }
    }

    @Override
    public boolean next() throws IOException {
        while (ready.isEmpty() && !finished) {
            step();
        }
        current = ready.poll();
        return current != null;
    }

    @Override
    public InternalRow get() {
        return current;
    }

    @Override
    public void close() {
        if (cursor != null) {
            cursor.close();
            cursor = null;
        }
    }

    private void step() throws IOException {
        boolean more;
        try {
            more = cursor.advance();
        } catch (UncheckedIOException e) {
            long line = cursor.positionReached() + 1;
            problem(line, "unreadable file: cannot read from line " + line + " on: " + e.getMessage()
                    + (e.getCause() != null ? " (" + e.getCause() + ")" : ""), null);
            endOfFile();
            return;
        }
        if (!more) {
            endOfFile();
        } else if (cursor.isProblem()) {
            problem(cursor.position(), cursor.problem(), cursor.problemText());
        } else {
            event(cursor.event(), cursor.position());
        }
    }

    /** Exits still waiting for an entry had none: they go out untimed, in line order. */
    private void endOfFile() {
        List<ThreadState> open = new ArrayList<>();
        for (ThreadState thread : threads.values()) {
            if (thread.pendingExit != null) {
                open.add(thread);
            }
        }
        open.sort(Comparator.comparingLong(t -> t.pendingLine));
        for (ThreadState thread : open) {
            ready.add(thread.pendingExit);
            thread.pendingExit = null;
        }
        finished = true;
        close();
    }

    private void problem(long line, String problem, String text) throws IOException {
        if (failFast) {
            throw new IOException("kvmtrace: " + sourceName + (line > 0 ? " line " + line : "") + ": " + problem);
        }
        Object[] values = new Object[fields.length];
        for (int i = 0; i < fields.length; i++) {
            switch (fields[i]) {
                case F_SOURCE -> values[i] = source;
                case F_HOST -> values[i] = host;
                case F_LINE -> values[i] = line;
                case F_PROBLEM -> values[i] = UTF8String.fromString(problem);
                case F_TEXT -> values[i] = text == null ? null : UTF8String.fromString(text);
                default -> values[i] = null;
            }
        }
        ready.add(new GenericInternalRow(values));
    }

    private void event(KvmEvent event, long line) {
        KvmEventType type = event.type();
        int vcpu = event.vcpu();
        ThreadState thread = null;
        if (type == KvmEventType.KVM_EXIT || type == KvmEventType.KVM_ENTRY) {
            thread = threads.computeIfAbsent(event.pid(), pid -> new ThreadState());
            if (type == KvmEventType.KVM_EXIT && vcpu < 0) {
                vcpu = thread.vcpu; // 4.x kvm_exit records no vCPU: the thread's last entry names it
            }
        }
        GenericInternalRow row = row(event, line, vcpu, thread);
        if (type == KvmEventType.KVM_EXIT) {
            if (exitToEntrySlot < 0) {
                ready.add(row);
            } else {
                if (thread.pendingExit != null) {
                    ready.add(thread.pendingExit); // a second exit before any entry: the first stays untimed
                }
                thread.pendingExit = row;
                thread.pendingLine = line;
                thread.pendingTime = event.timestampNanos();
            }
            return;
        }
        if (type == KvmEventType.KVM_ENTRY) {
            if (event.vcpu() >= 0) {
                thread.vcpu = event.vcpu();
            }
            if (thread.pendingExit != null) {
                thread.pendingExit.update(exitToEntrySlot, event.timestampNanos() - thread.pendingTime);
                ready.add(thread.pendingExit);
                thread.pendingExit = null;
            }
        }
        ready.add(row);
    }

    private GenericInternalRow row(KvmEvent event, long line, int vcpu, ThreadState thread) {
        KvmEventType type = event.type();
        boolean exit = type == KvmEventType.KVM_EXIT || type == KvmEventType.KVM_NESTED_VMEXIT
                || type == KvmEventType.KVM_NESTED_VMEXIT_INJECT;
        KvmIsa isa = event.isa();
        ExitNames names = exit ? exitNames(isa, event.exitCode()) : null;
        Object[] values = new Object[fields.length];
        for (int i = 0; i < fields.length; i++) {
            values[i] = switch (fields[i]) {
                case F_SOURCE -> source;
                case F_HOST -> host;
                case F_LINE -> line;
                case F_CPU -> event.cpu();
                case F_TIMESTAMP -> event.timestampNanos();
                case F_PID -> event.pid();
                case F_TASK -> task(event, thread);
                case F_VCPU -> vcpu;
                case F_EVENT -> EVENT_NAMES[type.ordinal()];
                case F_ISA -> exit ? ISA_NAMES[isa.ordinal()] : null;
                case F_EXIT_CODE -> exit ? event.exitCode() : null;
                case F_EXIT_BASIC -> exit ? names.basic() : null;
                case F_EXIT_REASON -> exit ? names.reason() : null;
                case F_EXIT_FLAGS -> exit ? names.flags() : null;
                case F_RIP -> event.guestRip();
                case F_INFO1 -> event.info1();
                case F_INFO2 -> event.info2();
                case F_INTR_INFO -> event.intrInfo();
                case F_ERROR_CODE -> event.errorCode();
                default -> null; // exit_to_entry_ns (set when the entry comes), problem, text
            };
        }
        return new GenericInternalRow(values);
    }

    /** The task name, one string per thread while its name stays the same. */
    private static UTF8String task(KvmEvent event, ThreadState thread) {
        CharSequence task = event.task();
        if (thread == null) {
            return UTF8String.fromString(task.toString());
        }
        if (thread.task == null || !thread.taskText.contentEquals(task)) {
            thread.taskText = task.toString();
            thread.task = UTF8String.fromString(thread.taskText);
        }
        return thread.task;
    }

    private ExitNames exitNames(KvmIsa isa, long exitCode) {
        return exitNames.get(isa.ordinal()).computeIfAbsent(exitCode, code -> {
            UTF8String reason = UTF8String.fromString(isa.exitName(code));
            if (isa != KvmIsa.VMX) {
                return new ExitNames(reason, null, null);
            }
            ExitReason exitReason = ExitReason.of((int) (long) code);
            List<UTF8String> flags = new ArrayList<>();
            for (ExitReasonFlag flag : exitReason.flags()) {
                flags.add(UTF8String.fromString(flag.name()));
            }
            return new ExitNames(reason, exitReason.basicNumber(), new GenericArrayData(flags.toArray()));
        });
    }

    private static UTF8String[] eventNames() {
        KvmEventType[] types = KvmEventType.values();
        UTF8String[] names = new UTF8String[types.length];
        for (KvmEventType type : types) {
            names[type.ordinal()] = UTF8String.fromString(type == KvmEventType.OTHER ? OTHER_EVENT : type.tracepoint());
        }
        return names;
    }

    private static UTF8String[] isaNames() {
        KvmIsa[] isas = KvmIsa.values();
        UTF8String[] names = new UTF8String[isas.length];
        for (KvmIsa isa : isas) {
            names[isa.ordinal()] = UTF8String.fromString(isa.name());
        }
        return names;
    }
}
