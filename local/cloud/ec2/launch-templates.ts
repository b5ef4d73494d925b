// Launch templates and their numbered versions. The user data of a version
// (base64, as EC2 keeps it) carries the release's `export APP_VERSION=…`.
// Versions are deleted as EC2 API reference "DeleteLaunchTemplateVersions"
// says: up to 200 per request, never the default one, each reported as
// deleted or with its ResponseError. The reference is silent on numbering
// after a deletion; modelled as EC2 is seen to behave: a number is never
// reused, and $Latest (LatestVersionNumber) is the highest version left.
import type {
  CreateLaunchTemplateCommandInput,
  CreateLaunchTemplateCommandOutput,
  CreateLaunchTemplateVersionCommandInput,
  CreateLaunchTemplateVersionCommandOutput,
  DeleteLaunchTemplateCommandInput,
  DeleteLaunchTemplateCommandOutput,
  DeleteLaunchTemplateVersionsCommandInput,
  DeleteLaunchTemplateVersionsCommandOutput,
  DeleteLaunchTemplateVersionsResponseErrorItem,
  DeleteLaunchTemplateVersionsResponseSuccessItem,
  DescribeLaunchTemplatesCommandInput,
  DescribeLaunchTemplatesCommandOutput,
  DescribeLaunchTemplateVersionsCommandInput,
  DescribeLaunchTemplateVersionsCommandOutput,
  LaunchTemplate,
  LaunchTemplateVersion,
  ModifyLaunchTemplateCommandInput,
  ModifyLaunchTemplateCommandOutput,
  RequestLaunchTemplateData,
} from '@aws-sdk/client-ec2';
import {
  CreateLaunchTemplate$,
  CreateLaunchTemplateVersion$,
  DeleteLaunchTemplate$,
  DeleteLaunchTemplateVersions$,
  DescribeLaunchTemplates$,
  DescribeLaunchTemplateVersions$,
  ModifyLaunchTemplate$,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../aws-error.ts';
import { ACCOUNT_ID, hexId } from '../ids.ts';
import { operation, type Answer, type Operation } from '../protocol/operation.ts';
import { matchesFilters, tagsFor } from './filters.ts';
import { requireParameter } from './network.ts';
import { isBase64 } from './user-data.ts';

const MAX_USER_DATA_BYTES = 16 * 1024;
const CREATED_BY = `arn:aws:iam::${ACCOUNT_ID}:root`;

interface TemplateRecord {
  template: LaunchTemplate;
  versions: LaunchTemplateVersion[];
  /** The highest version number ever given: numbers are not reused after a deletion. */
  lastNumber: number;
}

const MAX_VERSIONS_PER_DELETE = 200;

export interface LaunchTemplateRef {
  LaunchTemplateId?: string;
  LaunchTemplateName?: string;
  /** A number, `$Latest` or `$Default` (default). */
  Version?: string;
}

export class LaunchTemplates {
  private readonly templates = new Map<string, TemplateRecord>();

  /** The template and the version a reference points to now; EC2's not-found errors otherwise. */
  resolve(ref: LaunchTemplateRef): { template: LaunchTemplate; version: LaunchTemplateVersion } {
    const record = this.find(ref.LaunchTemplateId, ref.LaunchTemplateName);
    return { template: record.template, version: this.versionOf(record, ref.Version ?? '$Default') };
  }

  operations(): Operation[] {
    return [
      operation(CreateLaunchTemplate$, (input: CreateLaunchTemplateCommandInput) => this.create(input)),
      operation(CreateLaunchTemplateVersion$, (input: CreateLaunchTemplateVersionCommandInput) => this.createVersion(input)),
      operation(DescribeLaunchTemplates$, (input: DescribeLaunchTemplatesCommandInput) => this.describe(input)),
      operation(DescribeLaunchTemplateVersions$, (input: DescribeLaunchTemplateVersionsCommandInput) => this.describeVersions(input)),
      operation(ModifyLaunchTemplate$, (input: ModifyLaunchTemplateCommandInput) => this.modify(input)),
      operation(DeleteLaunchTemplate$, (input: DeleteLaunchTemplateCommandInput) => this.delete(input)),
      operation(DeleteLaunchTemplateVersions$, (input: DeleteLaunchTemplateVersionsCommandInput) => this.deleteVersions(input)),
    ];
  }

  private create(input: CreateLaunchTemplateCommandInput): Answer<CreateLaunchTemplateCommandOutput> {
    const name = requireParameter(input.LaunchTemplateName, 'LaunchTemplateName');
    const data = requireParameter(input.LaunchTemplateData, 'LaunchTemplateData');
    if (!/^[a-zA-Z0-9().\-/_]{3,128}$/.test(name)) {
      throw new AwsError('InvalidLaunchTemplateName.MalformedException', `The launch template name '${name}' is invalid: 3 to 128 characters of letters, digits, ( ) . - / _`);
    }
    if ([...this.templates.values()].some((r) => r.template.LaunchTemplateName === name)) {
      throw new AwsError('InvalidLaunchTemplateName.AlreadyExistsException', `Launch template name already in use.`);
    }
    validateData(data);
    const id = `lt-${hexId(17)}`;
    const template: LaunchTemplate = {
      LaunchTemplateId: id,
      LaunchTemplateName: name,
      CreateTime: new Date(),
      CreatedBy: CREATED_BY,
      DefaultVersionNumber: 1,
      LatestVersionNumber: 1,
      Tags: tagsFor('launch-template', input.TagSpecifications),
    };
    const record: TemplateRecord = { template, versions: [], lastNumber: 1 };
    record.versions.push(newVersion(template, 1, input.VersionDescription, data));
    this.templates.set(id, record);
    return { LaunchTemplate: template };
  }

  private createVersion(input: CreateLaunchTemplateVersionCommandInput): Answer<CreateLaunchTemplateVersionCommandOutput> {
    const data = requireParameter(input.LaunchTemplateData, 'LaunchTemplateData');
    const record = this.find(input.LaunchTemplateId, input.LaunchTemplateName);
    validateData(data);
    const source = input.SourceVersion ? this.versionOf(record, input.SourceVersion).LaunchTemplateData : undefined;
    const number = record.lastNumber + 1;
    const version = newVersion(record.template, number, input.VersionDescription, { ...(source as RequestLaunchTemplateData), ...data });
    record.versions.push(version);
    record.lastNumber = number;
    record.template.LatestVersionNumber = number;
    return { LaunchTemplateVersion: version };
  }

  private describe(input: DescribeLaunchTemplatesCommandInput): Answer<DescribeLaunchTemplatesCommandOutput> {
    const ids = input.LaunchTemplateIds ?? [];
    const names = input.LaunchTemplateNames ?? [];
    for (const id of ids) this.find(id, undefined);
    for (const name of names) this.find(undefined, name);
    const templates = [...this.templates.values()]
      .map((r) => r.template)
      .filter((t) => (!ids.length && !names.length) || ids.includes(t.LaunchTemplateId!) || names.includes(t.LaunchTemplateName!))
      .filter((t) => matchesFilters(input.Filters, { 'launch-template-name': t.LaunchTemplateName }, t.Tags ?? []));
    return { LaunchTemplates: templates };
  }

  private describeVersions(input: DescribeLaunchTemplateVersionsCommandInput): Answer<DescribeLaunchTemplateVersionsCommandOutput> {
    const records = input.LaunchTemplateId || input.LaunchTemplateName ? [this.find(input.LaunchTemplateId, input.LaunchTemplateName)] : [...this.templates.values()];
    const min = input.MinVersion ? Number(input.MinVersion) : -Infinity;
    const max = input.MaxVersion ? Number(input.MaxVersion) : Infinity;
    const versions = records.flatMap((record) => {
      const chosen = input.Versions?.length ? input.Versions.map((v) => this.versionOf(record, v)) : record.versions;
      return chosen.filter((v) => v.VersionNumber! >= min && v.VersionNumber! <= max);
    });
    return { LaunchTemplateVersions: versions.map((v) => ({ ...v, DefaultVersion: this.isDefault(v) })) };
  }

  private modify(input: ModifyLaunchTemplateCommandInput): Answer<ModifyLaunchTemplateCommandOutput> {
    const record = this.find(input.LaunchTemplateId, input.LaunchTemplateName);
    if (input.DefaultVersion) record.template.DefaultVersionNumber = this.versionOf(record, input.DefaultVersion).VersionNumber;
    return { LaunchTemplate: record.template };
  }

  private delete(input: DeleteLaunchTemplateCommandInput): Answer<DeleteLaunchTemplateCommandOutput> {
    const record = this.find(input.LaunchTemplateId, input.LaunchTemplateName);
    this.templates.delete(record.template.LaunchTemplateId!);
    return { LaunchTemplate: record.template };
  }

  private deleteVersions(input: DeleteLaunchTemplateVersionsCommandInput): Answer<DeleteLaunchTemplateVersionsCommandOutput> {
    const record = this.find(input.LaunchTemplateId, input.LaunchTemplateName);
    const requested = requireParameter(input.Versions, 'LaunchTemplateVersion');
    if (requested.length === 0 || requested.length > MAX_VERSIONS_PER_DELETE) {
      throw new AwsError('InvalidParameterValue', `LaunchTemplateVersion: between 1 and ${MAX_VERSIONS_PER_DELETE} version numbers per request, got ${requested.length}`);
    }
    const { template } = record;
    const done: DeleteLaunchTemplateVersionsResponseSuccessItem[] = [];
    const failed: DeleteLaunchTemplateVersionsResponseErrorItem[] = [];
    for (const requestedVersion of requested) {
      const number = Number(requestedVersion);
      const item = { LaunchTemplateId: template.LaunchTemplateId, LaunchTemplateName: template.LaunchTemplateName, VersionNumber: number };
      const index = record.versions.findIndex((v) => v.VersionNumber === number);
      if (!Number.isInteger(number) || index < 0) {
        failed.push({ ...item, ResponseError: { Code: 'launchTemplateVersionDoesNotExist', Message: `The specified launch template version ${requestedVersion} does not exist.` } });
      } else if (number === template.DefaultVersionNumber) {
        // The reference names no code for this refusal; the catch-all one it lists.
        failed.push({ ...item, ResponseError: { Code: 'unexpectedError', Message: 'You cannot delete the default version of a launch template.' } });
      } else {
        record.versions.splice(index, 1);
        done.push(item);
      }
    }
    template.LatestVersionNumber = Math.max(...record.versions.map((v) => v.VersionNumber!));
    return { SuccessfullyDeletedLaunchTemplateVersions: done, UnsuccessfullyDeletedLaunchTemplateVersions: failed };
  }

  private find(id: string | undefined, name: string | undefined): TemplateRecord {
    if (id) {
      const record = this.templates.get(id);
      if (!record) throw new AwsError('InvalidLaunchTemplateId.NotFound', `The specified launch template, with template ID ${id}, does not exist.`);
      return record;
    }
    if (name) {
      const record = [...this.templates.values()].find((r) => r.template.LaunchTemplateName === name);
      if (!record) throw new AwsError('InvalidLaunchTemplateName.NotFoundException', `The specified launch template, with template name ${name}, does not exist.`);
      return record;
    }
    throw new AwsError('MissingParameter', 'The request must contain the parameter LaunchTemplateName or LaunchTemplateId');
  }

  private versionOf(record: TemplateRecord, version: string): LaunchTemplateVersion {
    const { template } = record;
    const number = version === '$Latest' ? template.LatestVersionNumber : version === '$Default' ? template.DefaultVersionNumber : Number(version);
    const found = record.versions.find((v) => v.VersionNumber === number);
    if (!found) {
      throw new AwsError('InvalidLaunchTemplateId.VersionNotFound', `Could not find launch template version ${version} for launch template ${template.LaunchTemplateId}.`);
    }
    return found;
  }

  private isDefault(version: LaunchTemplateVersion): boolean {
    return this.templates.get(version.LaunchTemplateId!)?.template.DefaultVersionNumber === version.VersionNumber;
  }
}

function validateData(data: RequestLaunchTemplateData): void {
  const userData = data.UserData;
  if (userData === undefined) return;
  if (!isBase64(userData)) throw new AwsError('InvalidUserData.Malformed', 'Invalid BASE64 encoding of user data.');
  if (Buffer.from(userData, 'base64').length > MAX_USER_DATA_BYTES) throw new AwsError('InvalidUserData.Malformed', `User data is limited to ${MAX_USER_DATA_BYTES} bytes.`);
}

function newVersion(template: LaunchTemplate, number: number, description: string | undefined, data: RequestLaunchTemplateData): LaunchTemplateVersion {
  return {
    LaunchTemplateId: template.LaunchTemplateId,
    LaunchTemplateName: template.LaunchTemplateName,
    VersionNumber: number,
    VersionDescription: description,
    CreateTime: new Date(),
    CreatedBy: CREATED_BY,
    DefaultVersion: number === template.DefaultVersionNumber,
    LaunchTemplateData: data,
  };
}
