package org.knowcoder.tensor.device;

/** Memory owned by a {@link Device}; only the device that made it may use it. */
public interface DeviceBuffer {
    /** The name it was made with (a tensor's name, or what the buffer is for), for error messages. */
    String name();
}
