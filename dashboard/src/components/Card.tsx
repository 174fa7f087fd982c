//! A summary card: a label and a big value.

export function Card({ label, value, tone, testId }: { label: string; value: string; tone?: 'up' | 'down'; testId?: string }) {
  return (
    <div className="card" data-testid={testId}>
      <div className="card-label">{label}</div>
      <div className={`card-value ${tone ?? ''}`}>{value}</div>
    </div>
  );
}
