import { describe, expect, it } from 'vitest';
import { parseAuth, parseCookie, parseHeader, parseHeaders, PASSWORD_VARIABLE } from './index.js';

/** The error `run` throws, which must be an `E_INVALID_ARGUMENT`. */
function failure(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    expect(error).toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('parseAuth', () => {
  it('splits the user at the first ":" and the password at the last "@" before the URL', () => {
    expect(parseAuth('ann:hunter2@https://app.example.com/login?next=/')).toEqual({
      username: 'ann',
      password: 'hunter2',
      loginUrl: 'https://app.example.com/login?next=/',
    });
    expect(parseAuth('ann@example.com:p@ss:w@rd@http://127.0.0.1:8080/sign-in')).toEqual({
      username: 'ann@example.com',
      password: 'p@ss:w@rd',
      loginUrl: 'http://127.0.0.1:8080/sign-in',
    });
  });

  it('percent-decodes the user and the password', () => {
    expect(parseAuth('a%20b:50%25%3Aoff@http://x.test/login')).toMatchObject({
      username: 'a b',
      password: '50%:off',
    });
  });

  it(`takes the password from ${PASSWORD_VARIABLE} when none is given`, () => {
    const env = { [PASSWORD_VARIABLE]: 'from-env' };
    expect(parseAuth('ann@http://x.test/login', env).password).toBe('from-env');
    expect(parseAuth('ann:@http://x.test/login', env).password).toBe('from-env');
    expect(parseAuth('ann:given@http://x.test/login', env).password).toBe('given');
    expect(failure(() => parseAuth('ann@http://x.test/login', {})).message).toContain(PASSWORD_VARIABLE);
  });

  it('names --auth and what is wrong, and never quotes the password', () => {
    const cases: [string, RegExp][] = [
      ['ann:s3cret', /^--auth: expected user:pass@LOGIN_URL/],
      ['ann:s3cret@ftp://x.test/login', /^--auth: expected user:pass@LOGIN_URL/],
      [':s3cret@http://x.test/login', /^--auth: the user is empty/],
      ['ann:s3cret%zz@http://x.test/login', /^--auth: the password is not valid percent-encoding/],
      ['ann:s3cret@http://[nope/login', /^--auth: the login URL "http:\/\/\[nope\/login" is not a URL/],
      ['ann:pw@http://bob:s3cret@x.test/login', /^--auth: the login URL holds a user or password/],
    ];
    for (const [text, says] of cases) {
      const { message } = failure(() => parseAuth(text));
      expect(message).toMatch(says);
      expect(message).not.toContain('s3cret');
    }
  });
});

describe('parseHeader', () => {
  it('reads "Name: value", spaces around the value dropped', () => {
    expect(parseHeader('Authorization:  Bearer abc:def ')).toEqual({
      name: 'Authorization',
      value: 'Bearer abc:def',
    });
    expect(parseHeader('X-Empty:')).toEqual({ name: 'X-Empty', value: '' });
    expect(parseHeaders(['X-A: 1', 'X-B: 2'])).toEqual({ 'X-A': '1', 'X-B': '2' });
  });

  it('refuses bad names, framing headers, Cookie, control characters and twins, never quoting the value', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => parseHeader('Bearer s3cret'), /^--header: expected 'Name: value'/],
      [() => parseHeader('Authorization=Bearer s3cret: x'), /^--header: the name .* is not a header name/],
      [() => parseHeader('X-Token: s3cret\r\nX-Evil: 1'), /^--header X-Token: the value holds a line break/],
      [() => parseHeader('X-Token: s3cret\u0000'), /^--header X-Token: the value holds/],
      [() => parseHeader('Host: s3cret.example'), /^--header Host: the browser sets this header itself/],
      [() => parseHeader('cookie: sid=s3cret'), /^--header Cookie: give cookies with --cookie/],
      [() => parseHeaders(['X-Token: s3cret', 'x-token: s3cret']), /^--header x-token: given twice/],
    ];
    for (const [run, says] of cases) {
      const { message } = failure(run);
      expect(message).toMatch(says);
      expect(message).not.toContain('s3cret');
    }
  });
});

describe('parseCookie', () => {
  const starts = ['http://127.0.0.1:8080/', 'https://app.example.com/a', 'https://app.example.com/b'];

  it("gives a cookie to each start URL's host, Secure on https", () => {
    expect(parseCookie('sid = abc=def ', starts)).toEqual([
      { name: 'sid', value: 'abc=def', domain: '127.0.0.1', path: '/', secure: false, httpOnly: false },
      { name: 'sid', value: 'abc=def', domain: 'app.example.com', path: '/', secure: true, httpOnly: false },
    ]);
  });

  it('takes Domain, Path, Secure and HttpOnly', () => {
    expect(parseCookie('sid=1; Domain=.Example.com; Path=/app; Secure; HttpOnly;', starts)).toEqual([
      { name: 'sid', value: '1', domain: '.example.com', path: '/app', secure: true, httpOnly: true },
    ]);
    expect(parseCookie('sid=1; domain=127.0.0.1', starts)).toMatchObject([{ domain: '127.0.0.1' }]);
  });

  it('names --cookie and what is wrong, never quoting the value', () => {
    const cases: [string, RegExp][] = [
      ['s3cret', /^--cookie: expected name=value/],
      ['a b=s3cret', /^--cookie: the name before the "=" is not a cookie name/],
      ['sid=s3cret\r\nx', /^--cookie sid: the value holds a line break/],
      ['sid=s3cret; Path=app', /^--cookie sid: Path must start with "\/"/],
      ['sid=s3cret; Domain=a/b', /^--cookie sid: Domain=a\/b is not a host name/],
      ['sid=s3cret; Max-Age=5', /^--cookie sid: unknown attribute "Max-Age"/],
    ];
    for (const [text, says] of cases) {
      const { message } = failure(() => parseCookie(text, starts));
      expect(message).toMatch(says);
      expect(message).not.toContain('s3cret');
    }
    expect(failure(() => parseCookie('sid=1', ['not a url'])).message).toMatch(/no http\(s\) start URL/);
  });
});
