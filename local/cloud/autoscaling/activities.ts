// Scaling activities: what Auto Scaling did to a group and why, as
// DescribeScalingActivities reports it (newest first).
import { randomUUID } from 'node:crypto';
import type { Activity } from '@aws-sdk/client-auto-scaling';

const LIMIT_PER_GROUP = 500;

export class Activities {
  private readonly byGroup = new Map<string, Activity[]>();

  start(group: { name: string; arn: string }, description: string, cause: string, details: Record<string, string> = {}): Activity {
    const activity: Activity = {
      ActivityId: randomUUID(),
      AutoScalingGroupName: group.name,
      AutoScalingGroupARN: group.arn,
      Description: description,
      Cause: `At ${stamp(new Date())} ${cause}`,
      StartTime: new Date(),
      StatusCode: 'InProgress',
      Progress: 0,
      Details: JSON.stringify(details),
    };
    const list = this.byGroup.get(group.name) ?? [];
    list.unshift(activity);
    if (list.length > LIMIT_PER_GROUP) list.pop();
    this.byGroup.set(group.name, list);
    return activity;
  }

  finish(activity: Activity, outcome: 'Successful' | 'Failed' | 'Cancelled', message?: string): void {
    activity.StatusCode = outcome;
    activity.Progress = 100;
    activity.EndTime = new Date();
    if (message) activity.StatusMessage = message;
  }

  /** Newest first. */
  of(groupName: string | undefined): Activity[] {
    if (groupName) return [...(this.byGroup.get(groupName) ?? [])];
    return [...this.byGroup.values()].flat().sort((a, b) => b.StartTime!.getTime() - a.StartTime!.getTime());
  }

  inProgress(groupName: string): boolean {
    return (this.byGroup.get(groupName) ?? []).some((a) => a.StatusCode === 'InProgress');
  }
}

function stamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
