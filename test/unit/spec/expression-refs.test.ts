import { describe, expect, it } from 'vitest';
import { closestName } from '../../../src/spec/closest-name.js';
import { expressionRefs } from '../../../src/spec/expression-refs.js';

const fields = (expr: string): string[] => expressionRefs(expr).fields.map((f) => `${f.path.join('.')}@${f.offsets.join(',')}`);
const unknown = (expr: string): string[] => expressionRefs(expr).unknownFunctions.map((f) => `${f.name}@${f.offset}>${f.suggestion ?? ''}`);

describe('expressionRefs', () => {
  it('finds the record fields a column reads, not the names inside paths, predicates or groups', () => {
    expect(fields('$lowercase(Email)')).toEqual(['Email@11']);
    expect(fields('`Email Address` & " " & Last')).toEqual(['Email Address@0', 'Last@24']);
    expect(fields('$.address.city')).toEqual(['address.city@2,10']);
    expect(fields('Emails[type = "work"].value')).toEqual(['Emails.value@0,22']);
    expect(fields('{"plan": Plan, "tags": $map(Tags, function($t){ $uppercase($t) })}')).toEqual(['Plan@9', 'Tags@28']);
    expect(fields('$v.x')).toEqual([]);
    expect(fields('Orders{Name: $sum(Price)}')).toEqual(['Orders@0']);
    expect(fields('(not json')).toEqual([]);
  });

  it('finds calls of functions that are neither built in nor bound by the expression', () => {
    expect(unknown('$lowercse(Email)')).toEqual(['lowercse@0>lowercase']);
    expect(unknown('Email ~> $trimm')).toEqual(['trimm@9>trim']);
    expect(unknown('$substrng(?, 1)')).toEqual(['substrng@0>substring']);
    expect(unknown('($f := function($x){ $x }; $f(Email))')).toEqual([]);
    expect(unknown('$map(Tags, function($t, $i){ $t($i) })')).toEqual([]);
    expect(unknown('$now() & $millis() & $uuid()')).toEqual(['uuid@21>']);
  });
});

describe('closestName', () => {
  it('suggests a near miss (case and separators ignored), or a name held whole, or nothing', () => {
    expect(closestName('phone_numbr', ['email', 'phone_number', 'phone_verified'])).toBe('phone_number');
    expect(closestName('Emial', ['Email', 'Phone'])).toBe('Email');
    expect(closestName('email', ['E-mail', 'Phone'])).toBe('E-mail');
    expect(closestName('Email Address', ['E-mail', 'Phone'])).toBe('E-mail');
    expect(closestName('zip', ['email', 'phone'])).toBeUndefined();
  });
});
