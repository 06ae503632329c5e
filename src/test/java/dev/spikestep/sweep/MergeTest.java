package dev.spikestep.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.SpikestepException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A merge killed on its way is repeated into the same --out, as a finished one is. */
class MergeTest {
    @TempDir
    Path dir;

    /** A finished one-point sweep 'tiny' as 'spikestep sweep' writes it. */
    private Path sweep() throws Exception {
        Path s = Files.createDirectories(dir.resolve("sw"));
        Files.writeString(s.resolve(SweepResults.MANIFEST),
                "{\"name\":\"tiny\",\"grid_points\":1,\"grid_id\":\"0123456789ab\",\"shard\":\"0/1\"}\n");
        Files.writeString(s.resolve(SweepResults.RUNS), "{\"run_id\":\"r0\",\"index\":0,\"experiment\":\"train\","
                + "\"dt\":1.0,\"final_acc\":50.0}\n");
        Files.writeString(s.resolve(SweepResults.EPOCHS), "{\"run_id\":\"r0\",\"index\":0,\"epoch\":0,\"test_acc\":50.0}\n");
        return s;
    }

    private static void merge(Path in, Path out) {
        Merge.merge(List.of(in), out, new PrintStream(new ByteArrayOutputStream()));
    }

    private static List<String> names(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aMergeKilledWhileWritingIsReplacedByTheNextAndOtherContentIsStillRefused() throws Exception {
        Path in = sweep();
        // the lock a merge holds while it writes, as a sweep's directory has it
        List<String> whole = List.of(dev.spikestep.io.OutLock.FILE, "epochs.jsonl", "results.csv", "runs.jsonl", "sweep.json");
        // killed inside its first write: only a temporary file
        Path killedFirst = Files.createDirectories(dir.resolve("mg1"));
        Files.writeString(killedFirst.resolve("sweep.json.0a1b2c3d4e5f.part"), "{\"na");
        merge(in, killedFirst);
        assertEquals(whole, names(killedFirst), "the temporary file is gone, the merge whole");
        // stopped after its first file: a directory in the way of the second stands for the kill
        Path killedLater = dir.resolve("mg2");
        Path blocker = Files.createDirectories(killedLater.resolve(SweepResults.EPOCHS).resolve("x"));
        SweepResults done = SweepResults.load(killedFirst);
        assertThrows(SpikestepException.class, () -> SweepResults.writeAll(killedLater, done.manifest(), done.runs(),
                done.epochs()));
        Files.delete(blocker);
        Files.delete(blocker.getParent());
        assertEquals(List.of("sweep.json"), names(killedLater), "sweep.json, the mark of a merge, is written first");
        // ... marked unfinished: no later merge or report takes it for a shard or a sweep (an empty one)
        SpikestepException asInput = assertThrows(SpikestepException.class, () -> merge(killedLater, dir.resolve("mg3")));
        assertEquals("merge: " + killedLater + " holds a merge that was stopped before it wrote all its files; run that "
                + "merge again (into the same --out) first", asInput.getMessage());
        assertTrue(assertThrows(SpikestepException.class, () -> new Report(killedLater, dir.resolve("rep"))).getMessage()
                .contains("holds a merge that was stopped before it wrote all its files"));
        assertFalse(SweepResults.load(killedFirst).manifest().containsKey(SweepResults.UNFINISHED),
                "a whole merge's mark is gone");
        Files.writeString(killedLater.resolve("epochs.jsonl.00ff00ff00ff.part"), "{\"run");
        merge(in, killedLater);
        assertEquals(whole, names(killedLater));
        assertEquals(1, SweepResults.load(killedLater).runs().size());
        // a merge into an --out another merge holds (writing): refused, its files in flight left alone
        try (dev.spikestep.io.OutLock busy = dev.spikestep.io.OutLock.acquire(killedLater, "merge")) {
            Files.writeString(killedLater.resolve("runs.jsonl.abcdefabcdef.part"), "{\"run");
            assertThrows(SpikestepException.class, () -> merge(in, killedLater));
            assertTrue(Files.exists(killedLater.resolve("runs.jsonl.abcdefabcdef.part")), "the other merge's write");
        }
        Files.delete(killedLater.resolve("runs.jsonl.abcdefabcdef.part"));
        // a directory of other content, a temporary file or not among it, is refused and left as it is
        Path other = Files.createDirectories(dir.resolve("other"));
        Files.writeString(other.resolve("notes.txt"), "mine");
        Files.writeString(other.resolve("data.csv.123456789abc.part"), "someone's write");
        SpikestepException e = assertThrows(SpikestepException.class, () -> merge(in, other));
        assertTrue(e.getMessage().contains("is not empty and not an earlier merge of sweep 'tiny'"), e.getMessage());
        assertEquals(List.of("data.csv.123456789abc.part", "notes.txt"), names(other));
        assertFalse(Files.exists(other.resolve(SweepResults.MANIFEST)));
    }
}
