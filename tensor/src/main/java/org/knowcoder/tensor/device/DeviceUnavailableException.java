package org.knowcoder.tensor.device;

/** A device that was asked for cannot be used here; the message says why (no driver, no GPU, ...). */
public final class DeviceUnavailableException extends RuntimeException {
    public DeviceUnavailableException(String message) {
        super(message);
    }

    public DeviceUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
