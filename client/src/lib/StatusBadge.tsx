import { STATUS_LABEL } from './format';

export function StatusBadge(props: { status: string }) {
  return <span class={`badge status-${props.status.toLowerCase()}`}>{STATUS_LABEL[props.status] ?? props.status}</span>;
}
