package dev.spikestep.cuda;

/** A block of device memory (or its emulation); {@link #slice} views part of it without copying. */
public interface DeviceBuffer {
    long bytes();

    /** The {@code bytes} bytes from {@code offset} on, as a buffer of their own. */
    DeviceBuffer slice(long offset, long bytes);
}
