/** The attribute `markLoginForm` puts on the fields it found, with the role as its value. */
export const LOGIN_MARK = 'data-flotilla-login';

/** What `markLoginForm` is asked to find (what no selector was given for). */
export interface LoginFormWanted {
  readonly username: boolean;
  readonly submit: boolean;
}

/** What `markLoginForm` found and marked. */
export interface LoginFormFound {
  readonly username: boolean;
  readonly submit: boolean;
}

/** The little of the DOM `markLoginForm` uses (the project's types have no DOM library). */
interface FormElement {
  readonly localName: string;
  /** The `type` property: lower case, `text` for an input without one, `submit` for such a button. */
  readonly type: string;
  readonly name: string;
  readonly id: string;
  readonly disabled: boolean;
  readonly textContent: string | null;
  readonly value: string;
  readonly form: FormScope | null;
  readonly ownerDocument: FormScope;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
  checkVisibility(): boolean;
  compareDocumentPosition(other: FormElement): number;
}

interface FormScope {
  querySelectorAll(selectors: string): ArrayLike<FormElement>;
}

/**
 * Finds the user name field and the submit control of the form `password` is in (the whole document
 * when it is in none) and marks them with `LOGIN_MARK`. It runs in the page (`evaluate` on the password
 * field), so it is self-contained: no imports, no named inner functions.
 *
 * The user name field, among the visible, enabled text, email and tel inputs before the password field
 * (or anywhere, when none is before it): the first with `autocomplete=username` (or `email`), else the
 * first `type=email`, else the first whose name or id says user, email or login, else the nearest one
 * before the password field. The submit control, in a form: its first submit button or input whose text
 * says log in, sign in, submit or continue, else its first one; outside a form, a button with such text.
 * (With none, `login` submits the form with `requestSubmit`, or presses Enter when there is no form.)
 */
export function markLoginForm(password: FormElement, wanted: LoginFormWanted): LoginFormFound {
  const mark = 'data-flotilla-login';
  const scope = password.form ?? password.ownerDocument;
  const marked = Array.from(password.ownerDocument.querySelectorAll(`[${mark}]`));
  for (const element of marked) element.removeAttribute(mark);
  const says = /\b(log ?in|sign ?in|submit|continue)\b/i;

  let username: FormElement | undefined;
  if (wanted.username) {
    const fields = Array.from(scope.querySelectorAll('input')).filter(
      (field) => ['text', 'email', 'tel'].includes(field.type) && !field.disabled && field.checkVisibility(),
    );
    // DOCUMENT_POSITION_FOLLOWING (4): the password field comes after the field.
    const before = fields.filter((field) => (field.compareDocumentPosition(password) & 4) !== 0);
    const candidates = before.length > 0 ? before : fields;
    username =
      candidates.find((field) => /\b(username|email)\b/i.test(field.getAttribute('autocomplete') ?? '')) ??
      candidates.find((field) => field.type === 'email') ??
      candidates.find((field) => /user|email|login/i.test(`${field.name} ${field.id}`)) ??
      before.at(-1);
    username?.setAttribute(mark, 'username');
  }

  let submit: FormElement | undefined;
  if (wanted.submit) {
    const inForm = password.form !== null;
    const controls = Array.from(
      scope.querySelectorAll(
        inForm
          ? 'button, input[type=submit], input[type=image]'
          : 'button, input[type=submit], input[type=button], [role=button]',
      ),
    ).filter(
      (control) =>
        (!inForm || control.type === 'submit' || control.type === 'image') &&
        !control.disabled &&
        control.checkVisibility(),
    );
    const saying = controls.find((control) =>
      says.test(
        `${control.textContent ?? ''} ${control.localName === 'input' ? control.value : ''} ${control.getAttribute('aria-label') ?? ''}`,
      ),
    );
    submit = saying ?? (inForm ? controls[0] : undefined);
    submit?.setAttribute(mark, 'submit');
  }
  return { username: username !== undefined, submit: submit !== undefined };
}
