package org.knowcoder.ie.data;

import org.knowcoder.ie.Sample;

import java.util.List;

/**
 * One split of a dataset as read.
 *
 * @param unplaced annotations the reader could not put into any sample, each described with its file
 *                 (a reader never drops one silently)
 * @param repaired annotations whose offsets were wrong in the file and were moved to their text
 */
public record Split(String dataset, String name, List<Sample> samples, List<String> unplaced, List<String> repaired) {
    public Split {
        samples = List.copyOf(samples);
        unplaced = List.copyOf(unplaced);
        repaired = List.copyOf(repaired);
    }
}
