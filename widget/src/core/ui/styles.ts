import { css } from 'lit';

/**
 * Sized for the Interaction Widget panel (about 300–420 px wide). Every text colour pair meets WCAG
 * AA (4.5:1) on its background; the browser tests measure it in each state.
 */
export const styles = css`
  :host {
    display: block;
    box-sizing: border-box;
    min-width: 240px;
    max-width: 480px;
    padding: 12px;
    color: #1f2937;
    background: #ffffff;
    font:
      14px/1.45 'Roboto',
      'Segoe UI',
      Helvetica,
      Arial,
      sans-serif;
  }
  * {
    box-sizing: border-box;
  }
  h1 {
    margin: 0 0 8px;
    font-size: 15px;
    font-weight: 600;
  }
  .row {
    display: flex;
    align-items: center;
    gap: 8px;
    margin: 4px 0;
  }
  .label {
    color: #4b5563;
    min-width: 64px;
  }
  .ani {
    font-variant-numeric: tabular-nums;
    font-weight: 600;
  }
  .badge {
    display: inline-block;
    padding: 1px 8px;
    border-radius: 10px;
    background: #f3f4f6;
    color: #374151;
    font-size: 13px;
  }
  .badge.registered {
    background: #dbeafe;
    color: #1e3a8a;
  }
  .badge.verified {
    background: #dcfce7;
    color: #14532d;
  }
  .badge.failed {
    background: #fee2e2;
    color: #7f1d1d;
  }
  .badge.warn {
    background: #fef3c7;
    color: #78350f;
  }
  .spacer {
    flex: 1;
  }
  button {
    font: inherit;
    cursor: pointer;
    border-radius: 4px;
    border: 1px solid transparent;
    padding: 6px 14px;
    min-height: 32px;
  }
  button:focus-visible {
    outline: 2px solid #1d4ed8;
    outline-offset: 2px;
  }
  button.primary {
    width: 100%;
    margin-top: 10px;
    background: #1d4ed8;
    color: #ffffff;
    font-weight: 600;
  }
  button.primary:not([aria-disabled='true']):hover {
    background: #1e40af;
  }
  button.secondary {
    background: #ffffff;
    color: #1f2937;
    border-color: #6b7280;
  }
  button.secondary[aria-pressed='true'] {
    background: #1e3a8a;
    color: #ffffff;
  }
  button.danger {
    background: #b91c1c;
    color: #ffffff;
  }
  button[aria-disabled='true'] {
    background: #e5e7eb;
    color: #4b5563;
    border-color: #e5e7eb;
    cursor: not-allowed;
  }
  button.icon {
    padding: 4px;
    min-height: 32px;
    min-width: 32px;
    background: #ffffff;
    color: #b91c1c;
    border-color: #d1d5db;
    line-height: 0;
  }
  svg {
    width: 18px;
    height: 18px;
    fill: currentColor;
  }
  .notice {
    display: flex;
    gap: 8px;
    align-items: flex-start;
    margin: 10px 0 0;
    padding: 8px 10px;
    border-radius: 4px;
    border: 1px solid;
  }
  .notice p {
    margin: 0;
  }
  .notice strong {
    display: block;
  }
  .notice.success {
    background: #f0fdf4;
    border-color: #86efac;
    color: #14532d;
  }
  .notice.error {
    background: #fef2f2;
    border-color: #fca5a5;
    color: #7f1d1d;
  }
  .notice.info {
    background: #eff6ff;
    border-color: #93c5fd;
    color: #1e3a8a;
  }
  .notice .tick {
    width: 22px;
    height: 22px;
    flex: none;
    color: #15803d;
  }
  .notice button {
    margin-top: 6px;
  }
  .progress {
    margin: 10px 0 0;
  }
  .bar {
    height: 8px;
    border-radius: 4px;
    background: #e5e7eb;
    overflow: hidden;
    margin-top: 6px;
  }
  .bar > div {
    height: 100%;
    background: #1d4ed8;
    transition: width 0.2s linear;
  }
  .bar.indeterminate > div {
    width: 30%;
    animation: slide 1.2s ease-in-out infinite;
  }
  @keyframes slide {
    from {
      margin-left: -30%;
    }
    to {
      margin-left: 100%;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .bar.indeterminate > div {
      animation: none;
      width: 100%;
      opacity: 0.5;
    }
  }
  fieldset {
    margin: 10px 0 0;
    padding: 8px 10px;
    border: 1px solid #d1d5db;
    border-radius: 4px;
  }
  legend {
    padding: 0 4px;
    color: #374151;
    font-weight: 600;
  }
  fieldset p {
    margin: 0 0 6px;
  }
  .choices {
    display: flex;
    gap: 8px;
  }
  .hint {
    color: #4b5563;
    margin: 6px 0 0;
  }
  .muted {
    color: #4b5563;
  }
  dialog {
    border: 1px solid #9ca3af;
    border-radius: 6px;
    padding: 16px;
    max-width: 90%;
    color: #1f2937;
    background: #ffffff;
  }
  dialog::backdrop {
    background: rgba(17, 24, 39, 0.45);
  }
  dialog h2 {
    margin: 0 0 8px;
    font-size: 15px;
  }
  dialog .actions {
    display: flex;
    justify-content: flex-end;
    gap: 8px;
    margin-top: 12px;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
`;
