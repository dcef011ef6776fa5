package org.knowcoder.schema;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A line the importer cannot understand is an error naming the source and the line. */
class ImporterErrorTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            x = 1                                                                                   | 1 | expected a class definition
            class A(Entity):\\n\\tpass\\n\\tx = 2                                                       | 3 | unexpected line in class A
            class A(Entity):\\n\\t\\"\\"\\"\\n\\tNote: hi\\n\\t\\"\\"\\"\\n\\tpass                         | 3 | expected Description:
            class A(Entity):\\n\\t\\"\\"\\"\\n\\tDescription: d                                         | 3 | docstring is not closed
            \\nclass A(Relation):\\n\\tdef __init__(self, head_entity: A B, tail_entity: C):           | 3 | type hint 'A B'
            class E(Event):\\n\\tdef __init__(\\n\\t\\tself,\\n\\t\\ttrigger: str,\\n\\t\\tplace: Entity\\n\\t): | 5 | expected a role
            class E(Event):\\n\\tdef __init__(self, trigger: str, *args):\\n\\t\\targ_names = [a]        | 3 | expected a string literal
            class Entity:\\n\\tdef __init__(self, name):\\n\\t\\tself.name = name                        | 1 | base class Entity differs
            class Thing:\\n\\tpass                                                                    | 1 | class Thing has no superclass
            class A(Entity):\\n\\t\\"\\"\\"\\n\\tDescription: d\\n\\tExamples: \\"open\\n\\t\\"\\"\\"\\n\\tpass | 4 | string literal is not closed
            class A(Entity):\\n\\t@classmethod\\n\\tdef shout(cls, span: str, sentence: str):\\n\\t\\treturn span.upper()\\n\\t\\treturn span\\n\\t\\treturn span | 3 | not a post-processing class method
            class A(Relation):\\n\\tdef __init__(self, head_entity: X, tail_entity: Y):\\n\\t\\tpass      | 3 | expected super().__init__
            """)
    void namesTheLine(String code, int line, String reason) {
        String text = code.strip().replace("\\n", "\n").replace("\\t", "\t").replace("\\\"", "\"");
        SchemaSyntaxException e = assertThrows(SchemaSyntaxException.class, () -> PythonImporter.parse(text, "Entities.py"));
        assertTrue(e.getMessage().startsWith("Entities.py:" + line + ": "), e::getMessage);
        assertTrue(e.getMessage().contains(reason), e::getMessage);
    }
}
