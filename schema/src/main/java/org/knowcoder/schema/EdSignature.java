package org.knowcoder.schema;

/**
 * The two constructor shapes of event classes in KnowCoder's ED class definitions. ACE's classes
 * pass the role names positionally ({@code def __init__(self, trigger: str, arg_names, *args)});
 * the others, and every schema-following prompt, by keyword ({@code def __init__(self, trigger:
 * str, *args)}). Only the evaluation form of ED shows the difference, but reproducing it byte for
 * byte needs it kept.
 */
public enum EdSignature {
    KEYWORD, POSITIONAL
}
