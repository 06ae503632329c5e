package dev.spikestep.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void aWholeWriteLeavesOnlyItsTargetAndOrphansOfKilledWritesAreRemoved() throws Exception {
        Path target = dir.resolve("epoch-002.safetensors");
        AtomicFiles.write(target, out -> out.write(new byte[] {1, 2, 3}));
        assertEquals(3, Files.size(target));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(target), s.toList(), "no temporary file left");
        }
        // what a kill between create and rename leaves, beside files that only look alike
        Files.write(dir.resolve("epoch-002.safetensors.711c2fe2052f.part"), new byte[0]);
        Files.write(dir.resolve("sweep.json.6bf357d2.part"), new byte[] {7});
        Files.write(dir.resolve("notes.part"), new byte[] {1});
        Files.write(dir.resolve("y.csv.part"), new byte[] {1});
        Files.createDirectories(dir.resolve("sub.0123.part"));
        assertEquals(2, AtomicFiles.removeOrphans(dir));
        assertTrue(Files.exists(target) && Files.exists(dir.resolve("notes.part")) && Files.exists(dir.resolve("y.csv.part"))
                && Files.isDirectory(dir.resolve("sub.0123.part")));
        assertFalse(Files.exists(dir.resolve("epoch-002.safetensors.711c2fe2052f.part")));
        assertEquals(0, AtomicFiles.removeOrphans(dir.resolve("absent")));
    }

    @Test
    void theShutdownHooksCleanupDeletesAWritesPartFileAndTheWriteNeverRenamesIt() throws Exception {
        Path target = dir.resolve("out.csv");
        Files.writeString(target, "earlier\n");
        AtomicFiles.abandonInFlight(); // what other tests in this JVM left registered: counted below are this test's
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> w = CompletableFuture.runAsync(() -> {
            try {
                AtomicFiles.write(target, out -> {
                    out.write(new byte[1 << 17]); // past the buffer: on disk in the part file
                    writing.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                    out.write(1);
                });
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertTrue(writing.await(10, TimeUnit.SECONDS));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(2, s.count(), "the target and the part file being written");
        }
        assertEquals(1, AtomicFiles.abandonInFlight()); // what a SIGTERM's shutdown hook calls
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(target), s.toList(), "the part file is gone");
        }
        release.countDown();
        Exception e = assertThrows(java.util.concurrent.ExecutionException.class, () -> w.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("was not written: the process is stopping"), e.toString());
        assertEquals("earlier\n", Files.readString(target), "the earlier file is untouched");
        assertEquals(0, AtomicFiles.abandonInFlight(), "a finished or failed write is no longer in flight");
        AtomicFiles.write(target, out -> out.write('x'));
        assertEquals("x", Files.readString(target), "writes after it work as before");
        assertEquals(0, AtomicFiles.abandonInFlight());
    }
    @Test
    void onceStoppedNoWriteStartsATemporaryFileThatNothingWouldDelete() throws Exception {
        Path target = dir.resolve("train-labels-idx1-ubyte");
        try {
            AtomicFiles.stop(); // what a SIGTERM's shutdown hook calls, while the writing thread goes on
            IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> out.write(1)));
            assertEquals(target + " was not written: the process is stopping", e.getMessage());
            assertThrows(IOException.class, () -> AtomicFiles.inFlight(dir.resolve("c.1234.tmp.png")));
            try (Stream<Path> s = Files.list(dir)) {
                assertEquals(List.of(), s.toList(), "no part file was created");
            }
        } finally {
            AtomicFiles.stopping = false; // the rest of this JVM's tests write on
        }
        AtomicFiles.write(target, out -> out.write(1));
        assertEquals(1, Files.size(target));
    }

    @Test
    void theOrphansOfOneTargetAreRemovedAndNoOtherFilesTemporaries() throws Exception {
        Path target = dir.resolve("trace.csv");
        Files.write(dir.resolve("trace.csv.fb3649c135c3.part"), new byte[] {1});
        Files.write(dir.resolve("other.csv.fb3649c135c3.part"), new byte[] {1});
        Files.write(dir.resolve("trace.csv.part"), new byte[] {1});
        assertEquals(1, AtomicFiles.removeOrphansOf(target));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("other.csv.fb3649c135c3.part", "trace.csv.part"),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals(0, AtomicFiles.removeOrphansOf(dir.resolve("absent").resolve("t.csv")));
    }
}
