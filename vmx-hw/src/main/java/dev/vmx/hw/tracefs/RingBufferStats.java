package dev.vmx.hw.tracefs;

/**
 * What a {@link RingBufferDecoder} has read so far, including everything it could not deliver:
 * nothing is lost without a count.
 *
 * @param pages ring-buffer pages decoded (including damaged ones)
 * @param events records delivered as events (of those, {@code otherEvents} were of tracepoints
 *        this library does not decode)
 * @param otherEvents records of unknown event ids, delivered as {@code KvmEventType.OTHER}
 * @param lostEvents events the kernel overwrote or dropped, as counted in the pages
 *        ({@code RB_MISSED_STORED}); see also {@code pagesWithUnknownLoss}
 * @param pagesWithUnknownLoss pages flagged {@code RB_MISSED_EVENTS} without a stored count:
 *        events were lost before them, how many is unknown
 * @param truncatedPages pages shorter than their header or their commit index says
 * @param corruptPages pages whose header or records are inconsistent (commit beyond the page,
 *        a record running past the commit, a record too short for its event's fields); the
 *        records before the damage are delivered, the rest of that page is skipped
 */
public record RingBufferStats(long pages, long events, long otherEvents, long lostEvents, long pagesWithUnknownLoss,
        long truncatedPages, long corruptPages) {
    /**
     * Whether anything was lost or damaged.
     *
     * @return true if any loss, truncation or corruption was counted
     */
    public boolean anyLoss() {
        return lostEvents != 0 || pagesWithUnknownLoss != 0 || truncatedPages != 0 || corruptPages != 0;
    }
}
