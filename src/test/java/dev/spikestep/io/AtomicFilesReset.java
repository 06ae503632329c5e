package dev.spikestep.io;

/** For tests outside this package that run a shutdown hook's work in the test JVM: writes allowed again. */
public final class AtomicFilesReset {
    private AtomicFilesReset() {
    }

    public static void resume() {
        AtomicFiles.stopping = false;
    }
}
