package org.knowcoder.bench;

/**
 * A bench tool's command line: its arguments' values, and bad ones answered with the message and
 * the usage on stderr and exit code 2 (the tools run by hand and from scripts, not as tests).
 *
 * @param text the usage line
 */
record Usage(String text) {
    /** The value of the option before {@code args[i]}. */
    String value(String[] args, int i) {
        if (i >= args.length) fail(args[i - 1] + " needs a value");
        return args[i];
    }

    /** The value of the option before {@code args[i]}, a whole number of at least 1. */
    int positive(String[] args, int i) {
        int n = 0;
        try {
            n = Integer.parseInt(value(args, i));
        } catch (NumberFormatException e) {
            fail(args[i - 1] + " must be a whole number, got " + args[i]);
        }
        if (n < 1) fail(args[i - 1] + " must be at least 1, got " + n);
        return n;
    }

    void fail(String message) {
        System.err.println(message);
        System.err.println(text);
        System.exit(2);
    }
}
