import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { describeYamlError, type YamlErrorLike } from './yaml-error.js';

function errorOf(text: string): YamlErrorLike {
  try {
    parse(text);
  } catch (err) {
    return err as YamlErrorLike;
  }
  throw new Error('parsed');
}

describe('describeYamlError', () => {
  it('turns the library message into one clause with line and column', () => {
    expect(describeYamlError(errorOf('a:\n\t- x'))).toBe('at line 2, column 1: tabs are not allowed as indentation');
    expect(describeYamlError(errorOf('a: b: c'))).toBe('at line 1, column 4: nested mappings are not allowed in compact mappings');
  });
});
