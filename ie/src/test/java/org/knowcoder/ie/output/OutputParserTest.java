package org.knowcoder.ie.output;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OutputParserTest {

    private static List<String> names(String output) {
        return OutputParser.parse(output).stream().map(PyValue.Call::name).toList();
    }

    @Test
    void positionalAndKeywordArguments() {
        List<PyValue.Call> calls = OutputParser.parse("results = [\n\tWorkFor(head_entity=Human(\"Ann\"), tail_entity = Organization('Acme')),\n"
                + "\tPerson(\"Bob\")\n]");
        assertEquals(2, calls.size());
        assertEquals("Ann", PyValue.text(calls.getFirst().keywords().get("head_entity")));
        assertEquals("Acme", PyValue.text(calls.getFirst().keywords().get("tail_entity")));
        assertEquals(List.of(new PyValue.Str("Bob")), calls.get(1).positional());
    }

    @Test
    void elementsAreTheCallsCodeAsWrittenAndOnlyTheCalls() {
        String out = "results = [\n\tMarry(\n\t\ttrigger = \"wed\",\n\t\tperson=[Entity(\"A\")]),\n\t\"bare\", Person( 'Bo' ) ,Person(\"C";
        assertEquals(List.of("Marry(\n\t\ttrigger = \"wed\",\n\t\tperson=[Entity(\"A\")])", "Person( 'Bo' )"), OutputParser.elements(out));
        assertEquals(List.of(), OutputParser.elements("no results here"));
    }

    @Test
    void escapedQuotesAndPythonEscapes() {
        PyValue.Call c = OutputParser.parse("results = [Person(\"Dwayne \\\"The Rock\\\" Johnson\"), Person('O\\'Neil\\u00e9\\\\')]").getFirst();
        assertEquals("Dwayne \"The Rock\" Johnson", PyValue.text(c));
        assertEquals("O'Neilé\\", PyValue.text(OutputParser.parse("results = [Person(\"x\"), Person('O\\'Neil\\u00e9\\\\')]").get(1)));
    }

    @Test
    void multiLineCallsWithListsAndEmptyRoles() {
        PyValue.Call c = OutputParser.parse("results = [\n\tMarry(\n\t\ttrigger=\"married\",\n\t\tperson=[Entity(\"A\"), Entity(\"B\"),],\n\t\ttime=[]\n\t)\n]").getFirst();
        assertEquals(List.of("trigger", "person", "time"), List.copyOf(c.keywords().keySet()));
        assertEquals(new PyValue.PyList(List.of()), c.keywords().get("time"));
        assertEquals(2, ((PyValue.PyList) c.keywords().get("person")).items().size());
    }

    @Test
    void onlyTheFirstResultsListCounts() {
        assertEquals(List.of("Location", "Country"),
                names("results = [\n\tLocation(\"Obama\"),\n\tCountry(\"Kenya\")\n]\n\nsentence = \"x\"\nresults = [\n\tPerson(\"Kenya\")\n]"));
        assertEquals(List.of(), names("I cannot answer that."));
        assertEquals(List.of(), names("results = []"));
        assertEquals(List.of("A"), names("Sure! results=[A(\"x\")] and more text ]]]"));
    }

    @Test
    void truncatedOrBrokenElementsEndTheList() {
        assertEquals(List.of("Person", "Organization"), names("results = [\n\tPerson(\"Ann\"),\n\tOrganization(\"Acme Corp\"),\n\tLocation(\"Par"));
        assertEquals(List.of("LocatedIn"), names("results = [\n\tLocatedIn(Entity(\"Bob\"), Entity(\"Rome\")),\n\tLocatedIn(Entity(\"Bob\"), Entity(\"Rom"));
        assertEquals(List.of("A"), names("results = [A(\"x\"), B(\"y\" C(\"z\")]"));
        assertEquals(List.of("A"), names("results = [A(\"x\")")); // the call closed; only the list is cut
        assertEquals(List.of(), names("results = [A(\"x\n\")]")); // a string does not run over a line
        assertEquals(List.of(), names("results = [" + "[".repeat(10_000)));
    }

    @Test
    void bareValuesAndComments() {
        PyValue.Call c = OutputParser.parse("results = [  # found\n\tE(\"x\", None, -3, mod.attr)\n]").getFirst();
        assertEquals(List.of(new PyValue.Str("x"), new PyValue.Bare("None"), new PyValue.Bare("-3"), new PyValue.Bare("mod.attr")), c.positional());
        assertEquals(Map.of(), c.keywords());
    }
}
