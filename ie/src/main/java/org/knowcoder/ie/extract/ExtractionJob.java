package org.knowcoder.ie.extract;

import org.knowcoder.ie.Sample;
import org.knowcoder.ie.eval.LabelMap;
import org.knowcoder.ie.prompt.Query;
import org.knowcoder.schema.Task;

import java.util.List;

/** The sentences of one dataset to run one task on, the query that frames them and the labels that score them. */
public record ExtractionJob(String dataset, Task task, List<Sample> samples, Query query, LabelMap labels) {
    public ExtractionJob {
        samples = List.copyOf(samples);
    }
}
