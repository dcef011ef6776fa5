package org.knowcoder.schema;

import org.knowcoder.io.BadInputException;

import java.util.List;
import java.util.stream.Collectors;

/** A set of concepts that breaks the library's rules; the message lists the first problems, each naming its concept and rule. */
public final class InvalidSchemaException extends BadInputException {
    private static final int SHOWN = 10;
    private final List<Problem> problems;

    public InvalidSchemaException(List<Problem> problems) {
        super(problems.size() + (problems.size() == 1 ? " problem: " : " problems: ")
                + problems.stream().limit(SHOWN).map(Problem::toString).collect(Collectors.joining("; "))
                + (problems.size() > SHOWN ? "; ..." : ""));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }
}
