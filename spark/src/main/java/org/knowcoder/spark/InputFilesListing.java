package org.knowcoder.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.knowcoder.io.BadInputException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The files a builder reads, in a fixed order: each argument as given, a directory as its files in
 * name order (without Hadoop's hidden {@code _*} and {@code .*} files), a glob as its matches in name
 * order. The order matters: a line's randomness is seeded by its place in the whole input, so the
 * same files in another order would be other data.
 */
final class InputFilesListing {
    private InputFilesListing() {}

    static List<String> files(List<String> inputs, Configuration conf) throws IOException {
        List<String> out = new ArrayList<>();
        for (String input : inputs) {
            Path p = new Path(input);
            FileSystem fs = p.getFileSystem(conf);
            FileStatus[] matches = fs.globStatus(p);
            if (matches == null || matches.length == 0) throw new BadInputException("input " + input + " does not exist");
            Arrays.sort(matches, Comparator.comparing(s -> s.getPath().toString()));
            for (FileStatus m : matches) {
                if (!m.isDirectory()) {
                    out.add(m.getPath().toString());
                    continue;
                }
                FileStatus[] inside = fs.listStatus(m.getPath(), f -> !f.getName().startsWith("_") && !f.getName().startsWith("."));
                Arrays.sort(inside, Comparator.comparing(s -> s.getPath().toString()));
                for (FileStatus f : inside) if (f.isFile()) out.add(f.getPath().toString());
            }
        }
        return out;
    }
}
